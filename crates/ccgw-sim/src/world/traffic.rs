//! The traffic model: a floor that lives. Callers arrive in each skill queue at random
//! (seeded), wait while nobody serving the queue is idle, are answered by the first idle
//! agent in work-number order, talk, and hang up; the agent wraps up, and now and then
//! rests before taking calls again. Queue lengths and
//! waits, agents' states and times in state, calls and the inspector's events all come
//! from the same world, so every query agrees with every other at every moment.
//!
//! Time moves in one-second steps of the world's clock: real time, or a clock only tests
//! move ([`World::advance`]), so that a seed gives the same floor every run.

use std::time::Duration;

use super::model::{AgentState, QueuedCall, World};
use crate::config::{Traffic as Level, TrafficConfig};

/// How long a call lasts on average, in seconds.
const TALK_MEAN: f64 = 120.0;
/// How long a caller waits before hanging up, in seconds: in a surge the queues stop
/// growing there.
const PATIENCE: u64 = 600;
/// The shortest call, in seconds.
const TALK_MIN: f64 = 10.0;
/// How long wrap-up takes, in seconds.
const WRAP_UP: u64 = 15;
/// How often an agent rests after a call.
const REST_CHANCE: f64 = 0.05;
/// How long a rest lasts on average, in seconds.
const REST_MEAN: f64 = 180.0;

/// The traffic model's own state.
pub(crate) struct Traffic {
    level: Level,
    rng: SplitMix,
    /// Calls arriving per second in each skill queue, in the configuration's order.
    arrivals: Vec<(i32, f64)>,
    /// How far the model has run, on the world's clock.
    done: Duration,
}

/// How long one call keeps an agent from the next, on average, in seconds: the talk (at
/// least [`TALK_MIN`]), the wrap-up, and now and then a rest (at least 30 s). The floor's
/// capacity is one call per agent per cycle.
fn cycle() -> f64 {
    let talk = TALK_MIN + TALK_MEAN * (-TALK_MIN / TALK_MEAN).exp();
    let rest = 30.0 + REST_MEAN * (-30.0 / REST_MEAN).exp();
    talk + WRAP_UP as f64 + REST_CHANCE * rest
}

impl Level {
    /// The share of the floor's capacity the callers ask for, which is the share of
    /// agents kept occupied (talking, wrapping up or resting) while the queues are
    /// stable: calm leaves half idle, busy keeps about 85% occupied at any size, surge is
    /// more than the floor can answer.
    fn load(self) -> f64 {
        match self {
            Level::Calm => 0.5,
            Level::Busy => 0.85,
            Level::Surge => 1.4,
        }
    }
}

impl Traffic {
    /// Starts the model on a freshly seeded world, when its configuration asks for one:
    /// the seeded calls get their ends, and the queues their arrival rates.
    pub(super) fn start(world: &mut World) -> Option<Traffic> {
        let TrafficConfig { level, seed, .. } = world.config.traffic.clone()?;
        let mut rng = SplitMix(seed);
        let mut arrivals = Vec::new();
        for vdn in &world.config.vdns {
            // Each agent can answer one call per cycle; the queues share the calls in
            // proportion to the agents serving them.
            let agents = vdn.agents.len() as f64;
            let per_second = level.load() * agents / cycle();
            let members: Vec<usize> = (0..vdn.skills.len())
                .map(|q| {
                    (0..vdn.agents.len())
                        .filter(|i| vdn.skills_of_agent(*i).contains(&vdn.skills[q].id))
                        .count()
                })
                .collect();
            let total: usize = members.iter().sum::<usize>().max(1);
            for (skill, members) in vdn.skills.iter().zip(members) {
                arrivals.push((skill.id, per_second * members as f64 / total as f64));
            }
        }
        let now = world.now();
        for id in &world.order {
            let agent = world.agents.get_mut(id).expect("ordered");
            // What remains of a seeded call lasts as long as a new one would (talks are
            // memoryless): the seeded calls end spread out, not in one wave that leaves
            // the first callers queueing behind a floor nobody leaves.
            if agent.call.is_some() {
                agent.until = Some(now + rng.exponential(TALK_MEAN, 1.0));
            }
        }
        Some(Traffic {
            level,
            rng,
            arrivals,
            done: now,
        })
    }
}

impl World {
    /// Changes how busy the floor is from now on, as a surge that starts or ends; false
    /// when the floor has no traffic.
    pub fn set_traffic(&mut self, level: Level) -> bool {
        self.catch_up();
        let Some(traffic) = &mut self.traffic else {
            return false;
        };
        let scale = level.load() / traffic.level.load();
        for (_, rate) in &mut traffic.arrivals {
            *rate *= scale;
        }
        traffic.level = level;
        true
    }

    /// Moves a manual clock on by `by` and runs the traffic model up to it. A world on
    /// real time ignores it.
    pub fn advance(&mut self, by: Duration) {
        if let super::model::Clock::Manual(now) = &mut self.clock {
            *now += by;
        }
        self.catch_up();
    }

    /// Runs the traffic model up to the world's time, a second at a time.
    pub fn catch_up(&mut self) {
        self.finish_playbacks();
        let Some(mut traffic) = self.traffic.take() else {
            return;
        };
        let now = self.now();
        while traffic.done + Duration::from_secs(1) <= now {
            traffic.done += Duration::from_secs(1);
            let t = traffic.done;
            self.step(&mut traffic, t);
        }
        self.traffic = Some(traffic);
    }

    /// One second of the floor, ending at `t`.
    fn step(&mut self, traffic: &mut Traffic, t: Duration) {
        let gave_up = t.saturating_sub(Duration::from_secs(PATIENCE));
        for k in 0..traffic.arrivals.len() {
            let (skill, rate) = traffic.arrivals[k];
            if let Some(queue) = self.queued.get_mut(&skill) {
                while queue.front().is_some_and(|c| c.since < gave_up) {
                    queue.pop_front();
                }
            }
            for _ in 0..traffic.rng.poisson(rate) {
                self.queue_caller(skill, t);
            }
        }
        let order = std::mem::take(&mut self.order);
        for id in &order {
            let due = self.agents[id].until.is_some_and(|until| until <= t);
            if due {
                self.move_on(traffic, id, t);
            }
        }
        self.answer_waiting(traffic, &order, t);
        self.order = order;
    }

    /// An agent's timer ran out: its call ends (whatever state it was forced into
    /// meanwhile), its wrap-up ends, or its rest ends.
    fn move_on(&mut self, traffic: &mut Traffic, id: &str, t: Duration) {
        let state = self.agents[id].state();
        if self.agents[id].call.is_some() {
            if self.agents[id].inspected_by.is_some() {
                self.release_target(id, None);
            }
            self.leave_call(id);
        }
        let next = match state {
            AgentState::Talking => {
                Some((AgentState::WrapUp, Some(t + Duration::from_secs(WRAP_UP))))
            }
            AgentState::WrapUp if traffic.rng.chance(REST_CHANCE) => {
                let rest = traffic.rng.exponential(REST_MEAN, 30.0);
                Some((AgentState::Rest { reason: 1 }, Some(t + rest)))
            }
            AgentState::WrapUp | AgentState::Rest { .. } => Some((AgentState::Idle, None)),
            _ => None,
        };
        let agent = self.agents.get_mut(id).expect("ordered");
        agent.until = None;
        if let Some((state, until)) = next {
            agent.set_state(state, t);
            agent.until = until;
        }
    }

    /// Gives each waiting caller, the longest-waiting first, to an idle agent serving the
    /// queue, in work-number order.
    fn answer_waiting(&mut self, traffic: &mut Traffic, order: &[String], t: Duration) {
        let mut waiting: Vec<(Duration, i32)> = (self.queued.iter())
            .filter_map(|(skill, q)| q.front().map(|c| (c.since, *skill)))
            .collect();
        if waiting.is_empty() {
            return;
        }
        waiting.sort();
        // The free agents, in the floor's order, found once a second: each answer takes the
        // first one with the skill away. (Searching the whole floor for each caller made a
        // 5,000-agent floor's second cost a scan past every busy agent per call.)
        let mut free: Vec<&String> = (order.iter())
            .filter(|id| {
                let a = &self.agents[id.as_str()];
                !a.inspector && a.state() == AgentState::Idle && a.call.is_none()
            })
            .collect();
        for (_, skill) in waiting {
            while self.waiting(skill) > 0 {
                let first =
                    (free.iter()).position(|id| self.agents[id.as_str()].skills.contains(&skill));
                let Some(first) = first else { break };
                let agent = free.remove(first).clone();
                let call = self.queued.get_mut(&skill).and_then(|q| q.pop_front());
                let Some(call) = call else { break };
                let talk = traffic.rng.exponential(TALK_MEAN, TALK_MIN);
                self.answer(&agent, skill, call, t, talk);
            }
        }
    }

    /// `agent` answers a caller who waited in `skill`.
    fn answer(&mut self, agent: &str, skill: i32, call: QueuedCall, t: Duration, talk: Duration) {
        let vdn = self.agents[agent].vdn;
        let skill = (self.config.vdns.iter())
            .flat_map(|v| &v.skills)
            .find(|s| s.id == skill)
            .cloned();
        let called = self.agents[agent].phone.clone();
        self.start_call(call.id.clone(), vdn, agent, call.caller, called, skill);
        let a = self.agents.get_mut(agent).expect("ordered");
        a.call = Some(call.id);
        a.set_state(AgentState::Talking, t);
        a.until = Some(t + talk);
    }
}

/// A small, fast generator whose sequence a seed fixes forever (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A duration with this mean, at least `min` seconds, whole seconds.
    fn exponential(&mut self, mean: f64, min: f64) -> Duration {
        let x = -mean * (1.0 - self.unit()).ln();
        Duration::from_secs(x.max(min).round() as u64)
    }

    /// How many arrivals in a second at `rate` a second: Knuth's method for the rates of
    /// a floor's queues, the normal approximation past 30 a second (where Knuth's method
    /// would underflow on a huge floor).
    fn poisson(&mut self, rate: f64) -> u32 {
        if rate > 30.0 {
            // Box-Muller: a standard normal from two uniforms.
            let (u, v) = (1.0 - self.unit(), self.unit());
            let normal = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            return (rate + rate.sqrt() * normal).round().max(0.0) as u32;
        }
        let limit = (-rate).exp();
        let (mut k, mut p) = (0, self.unit());
        while p > limit && k < 1000 {
            k += 1;
            p *= self.unit();
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config::{SimConfig, Traffic};
    use crate::world::{AgentState, World};

    fn floor(seed: u64) -> World {
        World::new(
            SimConfig::default()
                .traffic(Traffic::Busy, seed)
                .manual_clock(true),
        )
    }

    /// What an observer sees: each agent's state, and each queue's length.
    fn picture(world: &World) -> (Vec<Option<AgentState>>, Vec<usize>) {
        let agents = (1001..=1010)
            .map(|id| world.agent_state(&id.to_string()))
            .collect();
        (agents, vec![world.waiting(1), world.waiting(2)])
    }

    #[test]
    fn a_seed_gives_the_same_floor_every_run_and_it_moves() {
        let (mut a, mut b) = (floor(7), floor(7));
        let start = picture(&a);
        for _ in 0..30 {
            a.advance(Duration::from_secs(60));
            b.advance(Duration::from_secs(60));
            assert_eq!(picture(&a), picture(&b));
        }
        assert_ne!(picture(&a), start, "half an hour later the floor has moved");
        let mut c = floor(8);
        c.advance(Duration::from_secs(1800));
        assert_ne!(picture(&c), picture(&a), "another seed, another floor");
    }

    #[test]
    fn calls_queue_while_nobody_is_free_and_are_answered_when_an_agent_frees() {
        let mut world = floor(1);
        // Everybody starts on a seeded call.
        let states = picture(&world).0;
        assert!(states.iter().all(|s| *s == Some(AgentState::Talking)));
        // By ten minutes every seeded call has ended and some agents wrapped up and
        // answered the queue.
        for _ in 0..600 {
            world.advance(Duration::from_secs(1));
            let idle = picture(&world).0.contains(&Some(AgentState::Idle));
            assert!(
                !(idle && world.waiting(1) > 0),
                "an idle agent leaves nobody waiting"
            );
        }
        let talking = (picture(&world).0.iter())
            .filter(|s| **s == Some(AgentState::Talking))
            .count();
        assert!(talking > 0);
    }

    /// The share of agents occupied (not idle) on a busy floor of `agents`, sampled every
    /// minute from `from` to `to` minutes, and the longest queue 1 grew meanwhile.
    fn busy_floor(agents: u32, from: u64, to: u64) -> (f64, usize) {
        let config = if agents == 10 {
            SimConfig::default()
        } else {
            SimConfig::default().large_tenant(agents, 20)
        };
        let mut world = World::new(config.traffic(Traffic::Busy, 3).manual_clock(true));
        let ids: Vec<String> = (world.order.iter())
            .filter(|id| !world.agents[id.as_str()].inspector)
            .cloned()
            .collect();
        let (mut occupied, mut samples, mut longest) = (0usize, 0usize, 0);
        for minute in 1..=to {
            for _ in 0..60 {
                world.advance(Duration::from_secs(1));
                longest = longest.max(world.waiting(1));
            }
            if minute >= from {
                occupied += (ids.iter())
                    .filter(|id| world.agent_state(id) != Some(AgentState::Idle))
                    .count();
                samples += ids.len();
            }
        }
        (occupied as f64 / samples as f64, longest)
    }

    #[test]
    fn a_busy_floor_is_busy_not_saturated_at_any_size() {
        // Ten agents: a small floor wanders, so it is watched for hours.
        let (small, _) = busy_floor(10, 30, 600);
        assert!(
            (0.75..=0.93).contains(&small),
            "10 agents: {small:.3} occupied"
        );
        let (large, longest) = busy_floor(5000, 6, 16);
        println!(
            "busy floor: {small:.3} occupied at 10 agents, {large:.3} at 5,000 (queue 1 at most \
             {longest} callers)"
        );
        assert!(
            (0.80..=0.90).contains(&large),
            "5,000 agents: {large:.3} occupied"
        );
        assert!(longest < 300, "queue 1 grew to {longest} callers");
    }
}
