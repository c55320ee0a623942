"""Write output/: stage what changed, keep what did not (the ledger), prune what is gone."""
