// Placeholder: implemented by issue 7's work in progress.
