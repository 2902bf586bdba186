"""The eval suite: datasets, metrics, support judges, the runner and its reports (`tutor eval`)."""
