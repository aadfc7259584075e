//! Node specs, script-to-pipeline evaluation, validation and DOT.
