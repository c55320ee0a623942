"""Turn the archive into the site's files: the table of outputs and the renders it names."""
