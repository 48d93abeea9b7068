// Placeholder: implemented by issue 6's work in progress.
