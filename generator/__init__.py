"""dailypapers: records of papers in, a static daily-archive website out."""
