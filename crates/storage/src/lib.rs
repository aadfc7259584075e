//! Durable stores on redb: tasks and their metadata.
