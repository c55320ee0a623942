"""Read the inputs: record files into Papers, with the caches and fingerprints that spare work."""
