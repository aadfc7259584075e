//! The Nelder-Mead simplex minimizer InfluxDB fits Holt-Winters parameters with (after
//! M. F. Hutt's formulation: reflection 1, contraction 0.5, expansion 2, at most 1000
//! iterations). The objective may adjust the vertex it is given (clamping, seasonal
//! state), and those adjustments stay in the simplex, as they do in InfluxDB.

const MAX_ITERATIONS: usize = 1000;
const ALPHA: f64 = 1.0;
const BETA: f64 = 0.5;
const GAMMA: f64 = 2.0;

/// Minimizes `f` from `start` with an initial simplex of size `scale`; stops when the
/// standard deviation of the vertex values falls below `epsilon`. Returns the minimum and
/// the parameters that reach it.
pub(crate) fn optimize(
    f: &mut dyn FnMut(&mut [f64]) -> f64,
    start: &[f64],
    epsilon: f64,
    scale: f64,
) -> (f64, Vec<f64>) {
    let n = start.len();
    let nf = n as f64;
    // Vertex i is v[i*n..(i+1)*n].
    let mut v = vec![0.0; (n + 1) * n];
    let mut fv = vec![0.0; n + 1];
    let mut vr = vec![0.0; n];
    let mut ve = vec![0.0; n];
    let mut vc = vec![0.0; n];
    let mut vm = vec![0.0; n];

    let pn = scale * ((nf + 1.0).sqrt() - 1.0 + nf) / (nf * 2f64.sqrt());
    let qn = scale * ((nf + 1.0).sqrt() - 1.0) / (nf * 2f64.sqrt());
    v[..n].copy_from_slice(start);
    for i in 1..=n {
        for j in 0..n {
            v[i * n + j] = (if i - 1 == j { pn } else { qn }) + start[j];
        }
    }
    for j in 0..=n {
        fv[j] = f(&mut v[j * n..(j + 1) * n]);
    }

    for _ in 0..MAX_ITERATIONS {
        let (mut vg, mut vs) = (0, 0);
        for i in 0..=n {
            if fv[i] > fv[vg] {
                vg = i;
            }
            if fv[i] < fv[vs] {
                vs = i;
            }
        }
        let mut vh = vs;
        for i in 0..=n {
            if fv[i] > fv[vh] && fv[i] < fv[vg] {
                vh = i;
            }
        }

        for i in 0..n {
            let mut cent = 0.0;
            for m in 0..=n {
                if m != vg {
                    cent += v[m * n + i];
                }
            }
            vm[i] = cent / nf;
        }

        for i in 0..n {
            vr[i] = vm[i] + ALPHA * (vm[i] - v[vg * n + i]);
        }
        let fr = f(&mut vr);

        if fr < fv[vh] && fr >= fv[vs] {
            v[vg * n..(vg + 1) * n].copy_from_slice(&vr);
            fv[vg] = fr;
        }

        if fr < fv[vs] {
            for i in 0..n {
                ve[i] = vm[i] + GAMMA * (vr[i] - vm[i]);
            }
            let fe = f(&mut ve);
            // Comparing with fr rather than f[vs] is deliberate (one iteration fewer on
            // Rosenbrock's function in the original).
            if fe < fr {
                v[vg * n..(vg + 1) * n].copy_from_slice(&ve);
                fv[vg] = fe;
            } else {
                v[vg * n..(vg + 1) * n].copy_from_slice(&vr);
                fv[vg] = fr;
            }
        }

        if fr >= fv[vh] {
            if fr < fv[vg] && fr >= fv[vh] {
                for i in 0..n {
                    vc[i] = vm[i] + BETA * (vr[i] - vm[i]);
                }
            } else {
                for i in 0..n {
                    vc[i] = vm[i] - BETA * (vm[i] - v[vg * n + i]);
                }
            }
            let fc = f(&mut vc);
            if fc < fv[vg] {
                v[vg * n..(vg + 1) * n].copy_from_slice(&vc);
                fv[vg] = fc;
            } else {
                // Shrink every vertex halfway towards the best one.
                for row in 0..=n {
                    if row != vs {
                        for i in 0..n {
                            v[row * n + i] = v[vs * n + i] + (v[row * n + i] - v[vs * n + i]) / 2.0;
                        }
                    }
                }
                fv[vg] = f(&mut v[vg * n..(vg + 1) * n]);
                fv[vh] = f(&mut v[vh * n..(vh + 1) * n]);
            }
        }

        let fsum: f64 = fv.iter().fold(0.0, |acc, x| acc + x);
        let favg = fsum / (nf + 1.0);
        let mut s = 0.0;
        for x in &fv {
            s += super::gomath::pow_int(x - favg, 2) / nf;
        }
        if s.sqrt() < epsilon {
            break;
        }
    }

    let mut vs = 0;
    for i in 0..=n {
        if fv[i] < fv[vs] {
            vs = i;
        }
    }
    let params = v[vs * n..(vs + 1) * n].to_vec();
    let min = f(&mut v[vs * n..(vs + 1) * n]);
    (min, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_bowl() {
        let mut f = |x: &mut [f64]| (x[0] - 1.0).powi(2) + (x[1] + 2.0).powi(2) + 3.0;
        let (min, p) = optimize(&mut f, &[0.0, 0.0], 1e-12, 1.0);
        assert!((min - 3.0).abs() < 1e-9, "{min}");
        assert!(
            (p[0] - 1.0).abs() < 1e-4 && (p[1] + 2.0).abs() < 1e-4,
            "{p:?}"
        );
    }
}
