//! InfluxQL reducers, selectors and transformations as InfluxDB 1.x defines them.
