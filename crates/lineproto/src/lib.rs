//! InfluxDB line protocol parser and formatter.
