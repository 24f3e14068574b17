//! The training loop: E and its gradient compiled once (`eval::Tape`), then per step the
//! mean gradient over a batch of samples, and the optimizer's update. No symbolic work and
//! no allocation per sample.

use crate::app::cli::Optimizer;
use crate::app::data::Data;
use deriv::eval::{EvalError, Kinks, Options, Rng, Tape, Workspace};
use deriv::expr::{ExprId, Name, Store};
use std::sync::atomic::{AtomicBool, Ordering};

/// Where each variable of E takes its value from.
#[derive(Copy, Clone, Debug)]
pub enum Source {
    /// The i-th parameter.
    Param(usize),
    /// The data's column j.
    Column(usize),
    /// A fixed value (`--at`, `--at-file`).
    Fixed(f64),
}

/// E compiled with its gradient by the parameters, and the samples.
pub struct Problem<'d> {
    tape: Tape,
    ws: Workspace,
    /// The value of each variable of the tape, in its order.
    inputs: Vec<f64>,
    /// (input, parameter) and (input, column) pairs.
    params: Vec<(usize, usize)>,
    columns: Vec<(usize, usize)>,
    data: Option<&'d Data>,
    grad: Vec<f64>,
    root: ExprId,
    /// The gradient summed over the current batch.
    pub sum: Vec<f64>,
}

/// A sample where E or its gradient has no finite value.
pub struct SampleError {
    /// The sample (0-based), or `None` for the one sample the values make.
    pub sample: Option<usize>,
    pub err: EvalError,
}

impl<'d> Problem<'d> {
    /// Compiles E (`full`, every definition expanded) and its gradient by `params`;
    /// `source` says where every other variable's value comes from.
    pub fn new(
        s: &Store,
        full: ExprId,
        params: &[Name],
        source: &dyn Fn(Name) -> Option<Source>,
        data: Option<&'d Data>,
    ) -> Result<Problem<'d>, Name> {
        let opts = Options {
            gradient: Some((0, params)),
            ..Options::default()
        };
        let tape = Tape::compile(s, &[full], opts);
        let mut p = Problem {
            ws: tape.workspace(),
            inputs: vec![0.0; tape.input_count()],
            params: Vec::new(),
            columns: Vec::new(),
            data,
            grad: vec![0.0; params.len()],
            sum: vec![0.0; params.len()],
            root: full,
            tape,
        };
        let names: Vec<Name> = p.tape.inputs().collect();
        for (k, n) in names.into_iter().enumerate() {
            match source(n).ok_or(n)? {
                Source::Param(i) => p.params.push((k, i)),
                Source::Column(j) => p.columns.push((k, j)),
                Source::Fixed(x) => p.inputs[k] = x,
            }
        }
        Ok(p)
    }

    pub fn samples(&self) -> usize {
        self.data.map_or(1, Data::rows)
    }

    /// Instructions per sample: the value's and the gradient's.
    pub fn cost(&self) -> (usize, usize) {
        self.tape.len()
    }

    /// Puts the parameters θ in place for the next samples.
    pub fn set_params(&mut self, theta: &[f64]) {
        for &(k, i) in &self.params {
            self.inputs[k] = theta[i];
        }
    }

    /// E summed over `rows`, with its gradient summed into `self.sum`; at the parameters
    /// last set. A kink takes the subgradient frameworks take.
    pub fn batch(&mut self, rows: &[usize]) -> Result<f64, SampleError> {
        self.sum.fill(0.0);
        let mut loss = 0.0;
        for &r in rows {
            if let Some(d) = self.data {
                let row = d.row(r);
                for &(k, j) in &self.columns {
                    self.inputs[k] = row[j];
                }
            }
            let t = &self.tape;
            let clean = t.forward(&mut self.ws, &self.inputs);
            let e = t.value(&self.ws, 0);
            // (A subgradient at a kink: the sweep cannot fail.)
            let swept =
                clean && e.is_finite() && t.backward(&mut self.ws, Kinks::Subgradient).is_ok();
            if !swept || !t.add_gradient(&self.ws, &mut self.sum) {
                // Something is not finite: the checked evaluation says what.
                let err = t
                    .value_and_gradient(
                        &mut self.ws,
                        &self.inputs,
                        Kinks::Subgradient,
                        &mut self.grad,
                    )
                    .err()
                    .unwrap_or(EvalError::Domain(self.root));
                return Err(SampleError {
                    sample: self.data.map(|_| r),
                    err,
                });
            }
            loss += e;
        }
        Ok(loss)
    }
}

/// How to train: the schedule and the optimizer.
pub struct Plan {
    pub epochs: u64,
    /// Samples per step; 0 for all of them.
    pub batch: usize,
    pub rate: f64,
    /// Shuffle the samples each epoch with this generator.
    pub shuffle: Option<Rng>,
    pub optimizer: Optimizer,
    pub momentum: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
}

/// A step that took a parameter out of the doubles.
pub struct StepError {
    pub param: usize,
    pub value: f64,
    pub gradient: f64,
    pub epoch: u64,
    pub step: u64,
}

pub enum TrainError {
    Sample(SampleError, u64),
    Step(StepError),
}

/// How training ended.
pub struct Run {
    /// The mean loss of each epoch run.
    pub losses: Vec<f64>,
    pub steps: u64,
    pub interrupted: bool,
}

/// The optimizer's state.
struct State {
    v: Vec<f64>,
    m: Vec<f64>,
    t: i32,
}

/// Trains θ in place; `report` is told each epoch's number and mean loss. Stops after the
/// current step when `stop` is raised (Ctrl-C).
pub fn train(
    p: &mut Problem,
    theta: &mut [f64],
    plan: &mut Plan,
    stop: &AtomicBool,
    report: &mut dyn FnMut(u64, f64),
) -> Result<Run, TrainError> {
    let n = p.samples();
    let size = if plan.batch == 0 {
        n
    } else {
        plan.batch.min(n)
    };
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = State {
        v: vec![0.0; theta.len()],
        m: vec![0.0; theta.len()],
        t: 0,
    };
    let mut run = Run {
        losses: Vec::new(),
        steps: 0,
        interrupted: false,
    };
    p.set_params(theta);
    for epoch in 1..=plan.epochs {
        if let Some(rng) = &mut plan.shuffle {
            // Fisher–Yates.
            for i in (1..n).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
        }
        let mut total = 0.0;
        for rows in order.chunks(size) {
            total += p.batch(rows).map_err(|e| TrainError::Sample(e, epoch))?;
            run.steps += 1;
            let scale = 1.0 / rows.len() as f64;
            update(plan, &mut state, theta, &p.sum, scale).map_err(
                |(param, value, gradient)| {
                    TrainError::Step(StepError {
                        param,
                        value,
                        gradient,
                        epoch,
                        step: run.steps,
                    })
                },
            )?;
            p.set_params(theta);
            if stop.load(Ordering::Relaxed) {
                run.interrupted = true;
                break;
            }
        }
        if run.interrupted {
            break;
        }
        let loss = total / n as f64;
        run.losses.push(loss);
        report(epoch, loss);
    }
    Ok(run)
}

/// One update of θ by the optimizer, from the gradient `sum·scale` (the batch's mean).
/// An error (parameter, new value, gradient) if a parameter leaves the doubles.
fn update(
    plan: &Plan,
    st: &mut State,
    theta: &mut [f64],
    sum: &[f64],
    scale: f64,
) -> Result<(), (usize, f64, f64)> {
    st.t += 1;
    let eta = plan.rate;
    let (b1, b2) = (plan.beta1, plan.beta2);
    let (c1, c2) = match plan.optimizer {
        Optimizer::Adam => (1.0 - b1.powi(st.t), 1.0 - b2.powi(st.t)),
        _ => (1.0, 1.0),
    };
    for (i, th) in theta.iter_mut().enumerate() {
        let g = sum[i] * scale;
        let next = match plan.optimizer {
            Optimizer::Sgd => *th - eta * g,
            Optimizer::Momentum => {
                st.v[i] = plan.momentum * st.v[i] + g;
                *th - eta * st.v[i]
            }
            Optimizer::Adam => {
                st.m[i] = b1 * st.m[i] + (1.0 - b1) * g;
                st.v[i] = b2 * st.v[i] + (1.0 - b2) * g * g;
                let (mh, vh) = (st.m[i] / c1, st.v[i] / c2);
                *th - eta * mh / (vh.sqrt() + plan.epsilon)
            }
        };
        if !next.is_finite() {
            return Err((i, next, g));
        }
        *th = next;
    }
    Ok(())
}
