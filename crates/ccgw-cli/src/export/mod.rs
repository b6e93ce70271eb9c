//! The floor and its alerts, handed to what operations teams run: Prometheus scrapes
//! [`prometheus`], Alertmanager receives [`alertmanager`].

pub mod alertmanager;
pub mod prometheus;
