//! Alert topics and handlers.
