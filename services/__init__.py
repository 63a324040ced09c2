"""Business rules as plain functions: called by admin views, jobs and the CLI alike."""
