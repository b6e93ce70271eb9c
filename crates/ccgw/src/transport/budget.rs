//! The gateway's overload budget: each agent may send at most a few queue-device and
//! agent-group queries (the document's `x-overload-budget`) in any window of a few
//! seconds, by default 5 per 2 s. A session paces its own queries to stay inside it:
//! a query waits for room, for a bounded time, rather than go over.
//!
//! A query's place is counted from when its answer arrived (or it was abandoned), not from
//! when it left: the gateway counts arrivals, and an arrival lies between the two, so
//! counting from the end keeps every window the gateway sees within the budget however
//! long each request took on the way.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::{Error, ErrorKind};

/// How many budgeted queries an agent may send in any window of time: see
/// [`ClientBuilder::overload_budget`](crate::ClientBuilder::overload_budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverloadBudget {
    queries: u32,
    per: Duration,
}

impl OverloadBudget {
    /// The gateway's documented default: 5 queries per agent per 2 s.
    pub const GATEWAY_DEFAULT: OverloadBudget = OverloadBudget {
        queries: 5,
        per: Duration::from_secs(2),
    };

    /// At most `queries` budgeted queries in any window of `per`, as a gateway configured
    /// otherwise than the default allows.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for no query at all or an empty window.
    pub fn new(queries: u32, per: Duration) -> Result<Self, Error> {
        if queries == 0 || per.is_zero() {
            return Err(Error::invalid_input(
                "an overload budget allows at least one query in a window longer than zero",
            ));
        }
        Ok(OverloadBudget { queries, per })
    }

    /// How many queries fit in one window.
    pub fn queries(&self) -> u32 {
        self.queries
    }

    /// The window.
    pub fn per(&self) -> Duration {
        self.per
    }
}

impl Default for OverloadBudget {
    fn default() -> Self {
        OverloadBudget::GATEWAY_DEFAULT
    }
}

/// One session's pacing of its budgeted queries.
#[derive(Debug)]
pub(crate) struct Pacer {
    budget: Option<OverloadBudget>,
    places: Mutex<Places>,
    /// Woken when a query ends, which may make room.
    ended: Notify,
}

/// The queries counted in the window: by number, `None` while in flight, then when it
/// ended.
#[derive(Debug, Default)]
struct Places {
    next: u64,
    counted: Vec<(u64, Option<Instant>)>,
}

/// A counted query in flight; dropping it marks the query ended.
pub(crate) struct Place<'a> {
    pacer: &'a Pacer,
    number: Option<u64>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if let Some(number) = self.number {
            let mut places = self.pacer.places.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, end)) = places.counted.iter_mut().find(|(n, _)| *n == number) {
                *end = Some(Instant::now());
            }
            drop(places);
            self.pacer.ended.notify_waiters();
        }
    }
}

impl Pacer {
    /// A pacer for `budget`; `None` sends every query at once.
    pub(crate) fn new(budget: Option<OverloadBudget>) -> Self {
        Pacer {
            budget,
            places: Mutex::new(Places::default()),
            ended: Notify::new(),
        }
    }

    /// Waits until the budget has room for one more query, for at most `patience`, and
    /// counts it; the query ends when the returned place is dropped.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OverBudget`] when no room comes within `patience`; nothing was sent.
    pub(crate) async fn take(&self, patience: Duration) -> Result<Place<'_>, Error> {
        let Some(budget) = self.budget else {
            return Ok(Place {
                pacer: self,
                number: None,
            });
        };
        let deadline = Instant::now() + patience;
        loop {
            // Registered before looking, so that an end between the look and the wait
            // still wakes this query.
            let ended = self.ended.notified();
            let free_at = {
                let mut places = self.places.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let window = budget.per;
                (places.counted)
                    .retain(|(_, end)| end.is_none_or(|end| now.duration_since(end) < window));
                if places.counted.len() < budget.queries as usize {
                    let number = places.next;
                    places.next += 1;
                    places.counted.push((number, None));
                    return Ok(Place {
                        pacer: self,
                        number: Some(number),
                    });
                }
                // The earliest room: the oldest ended query leaving the window. With
                // every place in flight, only an end can make room.
                let ends = places.counted.iter().filter_map(|(_, end)| *end);
                ends.min().map(|end| end + budget.per)
            };
            if free_at.is_some_and(|at| at > deadline) {
                return Err(over_budget(budget, patience));
            }
            let wake = free_at.unwrap_or(deadline);
            tokio::select! {
                () = ended => {}
                () = tokio::time::sleep_until(wake) => {
                    if free_at.is_none() && Instant::now() >= deadline {
                        return Err(over_budget(budget, patience));
                    }
                }
            }
        }
    }
}

fn over_budget(budget: OverloadBudget, patience: Duration) -> Error {
    Error::new(
        ErrorKind::OverBudget,
        format!(
            "the gateway's overload budget ({} queue and agent-group queries per {} ms) had \
             no room within {} ms; nothing was sent",
            budget.queries,
            budget.per.as_millis(),
            patience.as_millis()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_budget_counted_from_each_end() {
        let pacer = Pacer::new(Some(
            OverloadBudget::new(2, Duration::from_secs(2)).unwrap(),
        ));
        let start = Instant::now();
        let mut ends = Vec::new();
        for _ in 0..5 {
            let place = pacer.take(Duration::from_secs(10)).await.unwrap();
            // Each query takes 300 ms on the way.
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(place);
            ends.push(start.elapsed());
        }
        // Two at once, then each waits for an earlier end to leave the window.
        let ms: Vec<u128> = ends.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [300, 600, 2600, 2900, 4900]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_query_that_cannot_get_room_in_time_fails_and_nothing_is_counted() {
        let pacer = Pacer::new(Some(
            OverloadBudget::new(1, Duration::from_secs(2)).unwrap(),
        ));
        drop(pacer.take(Duration::ZERO).await.unwrap());
        let e = pacer.take(Duration::from_millis(500)).await.err().unwrap();
        assert_eq!(e.kind(), ErrorKind::OverBudget);
        assert!(!e.may_have_reached_gateway());
        assert!(e.to_string().contains("nothing was sent"), "{e}");
        // The refused query took no place: the next one waits only for the first.
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(pacer.take(Duration::ZERO).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn room_that_comes_just_at_the_end_of_the_patience_is_waited_for() {
        let pacer = Pacer::new(Some(
            OverloadBudget::new(1, Duration::from_secs(2)).unwrap(),
        ));
        drop(pacer.take(Duration::ZERO).await.unwrap());
        // The place frees 2 s after the first query ended: exactly when patience runs out.
        let started = Instant::now();
        assert!(pacer.take(Duration::from_secs(2)).await.is_ok());
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_query_in_flight_holds_its_place_until_it_ends() {
        let pacer = Pacer::new(Some(
            OverloadBudget::new(1, Duration::from_secs(1)).unwrap(),
        ));
        let held = pacer.take(Duration::ZERO).await.unwrap();
        let e = pacer.take(Duration::from_secs(5)).await.err().unwrap();
        assert_eq!(
            e.kind(),
            ErrorKind::OverBudget,
            "no room while it is in flight"
        );
        drop(held);
        let before = Instant::now();
        drop(pacer.take(Duration::from_secs(5)).await.unwrap());
        assert_eq!(before.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn without_a_budget_nothing_waits() {
        let pacer = Pacer::new(None);
        for _ in 0..100 {
            drop(pacer.take(Duration::ZERO).await.unwrap());
        }
    }

    #[test]
    fn an_empty_budget_is_refused() {
        assert!(OverloadBudget::new(0, Duration::from_secs(2)).is_err());
        assert!(OverloadBudget::new(5, Duration::ZERO).is_err());
        assert_eq!(OverloadBudget::default().queries(), 5);
    }
}
