"""The search index: each paper's terms as lunr counts them, kept between builds, cut into files."""
