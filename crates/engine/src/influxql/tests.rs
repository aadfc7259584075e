//! Every function per field type, with the values Kapacitor's and InfluxDB's own tests
//! expect, plus the edge cases (empty input, one point, ties, NaN, wrong types).

use kapa_models::{FieldValue, Fields, Tags};

use super::{Aux, Context, Func, Kind, Output, ZERO_TIME};

const S: i64 = 1_000_000_000;

fn fields(v: FieldValue) -> Fields {
    let mut f = Fields::new();
    f.insert("value", v);
    f
}

/// Reduces (time, value) points as one batch and returns what the reducer emits.
fn run(func: Func, pts: &[(i64, FieldValue)]) -> Vec<Output> {
    let fs: Vec<Fields> = pts.iter().map(|(_, v)| fields(v.clone())).collect();
    let mut c = Context::realize(&func, "value", &fs[0], None).unwrap();
    let tags = Tags::new();
    for (i, ((t, _), f)) in pts.iter().zip(&fs).enumerate() {
        c.aggregate("value", *t, Some(i), &tags, f).unwrap();
    }
    c.emit()
}

/// Feeds points one at a time and collects what is emitted after each (transformations).
fn run_each(func: Func, pts: &[(i64, FieldValue)]) -> Vec<(i64, FieldValue)> {
    let fs: Vec<Fields> = pts.iter().map(|(_, v)| fields(v.clone())).collect();
    let mut c = Context::realize(&func, "value", &fs[0], None).unwrap();
    let tags = Tags::new();
    let mut out = Vec::new();
    for (i, ((t, _), f)) in pts.iter().zip(&fs).enumerate() {
        c.aggregate("value", *t, Some(i), &tags, f).unwrap();
        out.extend(c.emit().into_iter().map(|o| (o.time, o.value)));
    }
    out
}

fn values(outs: &[Output]) -> Vec<(i64, FieldValue)> {
    outs.iter().map(|o| (o.time, o.value.clone())).collect()
}

/// The serverA values of Kapacitor's TestStream_InfluxQL_* data, one per second.
const SERIES: [i64; 10] = [98, 91, 95, 93, 92, 95, 92, 96, 93, 95];

fn floats() -> Vec<(i64, FieldValue)> {
    SERIES
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 * S, FieldValue::Float(*v as f64)))
        .collect()
}

fn ints() -> Vec<(i64, FieldValue)> {
    SERIES
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 * S, FieldValue::Int(*v)))
        .collect()
}

fn strings() -> Vec<(i64, FieldValue)> {
    SERIES
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 * S, FieldValue::String(v.to_string().into())))
        .collect()
}

fn bools() -> Vec<(i64, FieldValue)> {
    [
        false, true, true, true, false, false, false, false, true, true,
    ]
    .iter()
    .enumerate()
    .map(|(i, v)| (i as i64 * S, FieldValue::Bool(*v)))
    .collect()
}

fn f(v: f64) -> FieldValue {
    FieldValue::Float(v)
}

fn int(v: i64) -> FieldValue {
    FieldValue::Int(v)
}

#[test]
fn count_every_type() {
    for data in [floats(), ints(), strings(), bools()] {
        assert_eq!(values(&run(Func::Count, &data)), vec![(ZERO_TIME, int(10))]);
    }
}

#[test]
fn sum_float_and_integer_keep_the_seed_time() {
    assert_eq!(values(&run(Func::Sum, &floats())), vec![(0, f(940.0))]);
    assert_eq!(values(&run(Func::Sum, &ints())), vec![(0, int(940))]);
}

#[test]
fn sum_integer_wraps_like_go() {
    let out = run(Func::Sum, &[(0, int(i64::MAX)), (1, int(2))]);
    assert_eq!(values(&out), vec![(0, int(i64::MIN + 1))]);
}

#[test]
fn mean_float_and_integer() {
    assert_eq!(
        values(&run(Func::Mean, &floats())),
        vec![(ZERO_TIME, f(94.0))]
    );
    assert_eq!(
        values(&run(Func::Mean, &ints())),
        vec![(ZERO_TIME, f(94.0))]
    );
    // InfluxDB's Mean_Float case: 1, 2, 4, 4, 5 -> 3.2.
    let data: Vec<_> = [1.0, 2.0, 4.0, 4.0, 5.0]
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64, f(*v)))
        .collect();
    assert_eq!(values(&run(Func::Mean, &data)), vec![(ZERO_TIME, f(3.2))]);
}

#[test]
fn median_interpolates_even_counts() {
    assert_eq!(
        values(&run(Func::Median, &floats())),
        vec![(ZERO_TIME, f(94.0))]
    );
    assert_eq!(
        values(&run(Func::Median, &ints())),
        vec![(ZERO_TIME, f(94.0))]
    );
    let odd = [(0, f(3.0)), (1, f(1.0)), (2, f(2.0))];
    assert_eq!(values(&run(Func::Median, &odd)), vec![(ZERO_TIME, f(2.0))]);
    let odd_int = [(0, int(10)), (1, int(1)), (2, int(7)), (3, int(4))];
    assert_eq!(
        values(&run(Func::Median, &odd_int)),
        vec![(ZERO_TIME, f(5.5))]
    );
}

#[test]
fn median_of_one_point_keeps_its_time_for_floats_only() {
    assert_eq!(
        values(&run(Func::Median, &[(7 * S, f(1.5))])),
        vec![(7 * S, f(1.5))]
    );
    assert_eq!(
        values(&run(Func::Median, &[(7 * S, int(3))])),
        vec![(ZERO_TIME, f(3.0))]
    );
}

#[test]
fn median_integer_difference_wraps() {
    let out = run(Func::Median, &[(0, int(i64::MIN)), (1, int(i64::MAX))]);
    // float64(lo) + float64(hi-lo)/2 with hi-lo wrapping to -1.
    assert_eq!(values(&out), vec![(ZERO_TIME, f(i64::MIN as f64 - 0.5))]);
}

#[test]
fn mode_picks_the_most_frequent() {
    assert_eq!(
        values(&run(Func::Mode, &floats())),
        vec![(ZERO_TIME, f(95.0))]
    );
    assert_eq!(
        values(&run(Func::Mode, &ints())),
        vec![(ZERO_TIME, int(95))]
    );
}

#[test]
fn mode_ties_follow_influxdb_scan() {
    // Both values twice: the later run wins unless it started after the first run ended.
    let data = [(0, int(1)), (S, int(2)), (2 * S, int(2)), (3 * S, int(1))];
    assert_eq!(values(&run(Func::Mode, &data)), vec![(ZERO_TIME, int(2))]);
    let data = [(0, int(1)), (S, int(1)), (2 * S, int(2)), (3 * S, int(2))];
    assert_eq!(values(&run(Func::Mode, &data)), vec![(ZERO_TIME, int(1))]);
    // All distinct: the smallest value.
    let data = [(0, f(3.0)), (S, f(1.0)), (2 * S, f(2.0))];
    assert_eq!(values(&run(Func::Mode, &data)), vec![(ZERO_TIME, f(1.0))]);
    // One point is returned as is, with its time.
    assert_eq!(values(&run(Func::Mode, &[(5, f(4.0))])), vec![(5, f(4.0))]);
}

#[test]
fn spread_float_and_integer() {
    assert_eq!(
        values(&run(Func::Spread, &floats())),
        vec![(ZERO_TIME, f(7.0))]
    );
    assert_eq!(
        values(&run(Func::Spread, &ints())),
        vec![(ZERO_TIME, int(7))]
    );
    let out = run(Func::Spread, &[(0, f(1.0)), (1, f(f64::NAN)), (2, f(3.0))]);
    assert!(matches!(out[0].value, FieldValue::Float(v) if v.is_nan()));
}

#[test]
fn stddev_is_the_sample_deviation() {
    assert_eq!(
        values(&run(Func::Stddev, &floats())),
        vec![(ZERO_TIME, f(2.160246899469287))]
    );
    assert_eq!(
        values(&run(Func::Stddev, &ints())),
        vec![(ZERO_TIME, f(2.160246899469287))]
    );
    // NaNs are skipped; one point gives NaN.
    let data = [(0, f(1.0)), (1, f(f64::NAN)), (2, f(3.0))];
    assert_eq!(
        values(&run(Func::Stddev, &data)),
        vec![(ZERO_TIME, f(2f64.sqrt()))]
    );
    let one = run(Func::Stddev, &[(0, f(1.0))]);
    assert!(matches!(one[0].value, FieldValue::Float(v) if v.is_nan()));
}

#[test]
fn distinct_every_type_in_first_seen_order() {
    let want_f: Vec<_> = [(0, 98), (1, 91), (2, 95), (3, 93), (4, 92), (7, 96)]
        .iter()
        .map(|(t, v)| (t * S, f(*v as f64)))
        .collect();
    assert_eq!(values(&run(Func::Distinct, &floats())), want_f);
    let want_i: Vec<_> = want_f
        .iter()
        .map(|(t, v)| (*t, int(v.as_f64().unwrap() as i64)))
        .collect();
    assert_eq!(values(&run(Func::Distinct, &ints())), want_i);
    let want_s: Vec<_> = want_i
        .iter()
        .map(|(t, v)| (*t, FieldValue::String(v.to_string().into())))
        .collect();
    assert_eq!(values(&run(Func::Distinct, &strings())), want_s);
    assert_eq!(
        values(&run(Func::Distinct, &bools())),
        vec![(0, FieldValue::Bool(false)), (S, FieldValue::Bool(true))]
    );
}

#[test]
fn distinct_nan_is_never_a_duplicate_and_zeroes_are_one() {
    let data = [
        (0, f(f64::NAN)),
        (1, f(f64::NAN)),
        (2, f(0.0)),
        (3, f(-0.0)),
    ];
    let out = run(Func::Distinct, &data);
    assert_eq!(out.len(), 3);
    assert_eq!(out[2].time, 2);
}

#[test]
fn first_and_last_every_type_select_the_point() {
    assert_eq!(values(&run(Func::First, &floats())), vec![(0, f(98.0))]);
    assert_eq!(values(&run(Func::Last, &floats())), vec![(9 * S, f(95.0))]);
    assert_eq!(values(&run(Func::First, &ints())), vec![(0, int(98))]);
    assert_eq!(values(&run(Func::Last, &ints())), vec![(9 * S, int(95))]);
    assert_eq!(
        values(&run(Func::First, &strings())),
        vec![(0, FieldValue::String("98".into()))]
    );
    assert_eq!(
        values(&run(Func::Last, &strings())),
        vec![(9 * S, FieldValue::String("95".into()))]
    );
    assert_eq!(
        values(&run(Func::First, &bools())),
        vec![(0, FieldValue::Bool(false))]
    );
    assert_eq!(
        values(&run(Func::Last, &bools())),
        vec![(9 * S, FieldValue::Bool(true))]
    );
    assert_eq!(run(Func::Last, &floats())[0].aux, Aux::Index(9));
}

#[test]
fn first_and_last_ties_at_equal_times() {
    let data = [(5, f(1.0)), (5, f(3.0)), (5, f(2.0))];
    assert_eq!(values(&run(Func::First, &data)), vec![(5, f(3.0))]);
    assert_eq!(values(&run(Func::Last, &data)), vec![(5, f(3.0))]);
    // Booleans: first prefers false, last prefers true.
    let data = [(5, FieldValue::Bool(true)), (5, FieldValue::Bool(false))];
    assert_eq!(
        values(&run(Func::First, &data)),
        vec![(5, FieldValue::Bool(false))]
    );
    let data = [(5, FieldValue::Bool(false)), (5, FieldValue::Bool(true))];
    assert_eq!(
        values(&run(Func::Last, &data)),
        vec![(5, FieldValue::Bool(true))]
    );
    // Strings compare bytewise.
    let data = [
        (5, FieldValue::String("b".into())),
        (5, FieldValue::String("ab".into())),
    ];
    assert_eq!(
        values(&run(Func::First, &data)),
        vec![(5, FieldValue::String("b".into()))]
    );
}

#[test]
fn min_and_max_select_the_earliest_of_equal_values() {
    assert_eq!(values(&run(Func::Min, &floats())), vec![(S, f(91.0))]);
    assert_eq!(values(&run(Func::Max, &floats())), vec![(0, f(98.0))]);
    assert_eq!(values(&run(Func::Min, &ints())), vec![(S, int(91))]);
    assert_eq!(values(&run(Func::Max, &ints())), vec![(0, int(98))]);
    let data = [(3, f(2.0)), (1, f(2.0)), (2, f(5.0))];
    assert_eq!(run(Func::Min, &data)[0].aux, Aux::Index(1));
    // NaN never replaces a value, but a leading NaN stays.
    let data = [(0, f(1.0)), (1, f(f64::NAN))];
    assert_eq!(values(&run(Func::Max, &data)), vec![(0, f(1.0))]);
}

#[test]
fn percentile_nearest_rank() {
    let out = run(Func::Percentile(50.0), &floats());
    // Sorted: 91 92 92 93 93 ...; rank 5 is the second 93 (t=8s), equal values in arrival order.
    assert_eq!(values(&out), vec![(8 * S, f(93.0))]);
    assert_eq!(out[0].aux, Aux::Index(8));
    assert_eq!(
        values(&run(Func::Percentile(50.0), &ints())),
        vec![(8 * S, int(93))]
    );
    assert_eq!(
        values(&run(Func::Percentile(100.0), &floats())),
        vec![(0, f(98.0))]
    );
    assert_eq!(
        values(&run(Func::Percentile(10.0), &floats())),
        vec![(S, f(91.0))]
    );
    // Rank 0 and ranks past the end select nothing.
    assert!(run(Func::Percentile(0.0), &floats()).is_empty());
    assert!(run(Func::Percentile(4.0), &floats()).is_empty());
    assert!(run(Func::Percentile(120.0), &floats()).is_empty());
    assert!(run(Func::Percentile(f64::NAN), &floats()).is_empty());
}

#[test]
fn top_and_bottom_order_and_ties() {
    assert_eq!(
        values(&run(Func::Top(2), &floats())),
        vec![(0, f(98.0)), (7 * S, f(96.0))]
    );
    assert_eq!(
        values(&run(Func::Bottom(3), &floats())),
        vec![(S, f(91.0)), (4 * S, f(92.0)), (6 * S, f(92.0))]
    );
    assert_eq!(
        values(&run(Func::Top(2), &ints())),
        vec![(0, int(98)), (7 * S, int(96))]
    );
    // Three 95s for two places: the earliest win.
    assert_eq!(
        values(&run(Func::Top(4), &floats())),
        vec![
            (0, f(98.0)),
            (7 * S, f(96.0)),
            (2 * S, f(95.0)),
            (5 * S, f(95.0))
        ]
    );
    // More places than points: all of them, best first.
    let all = run(Func::Bottom(20), &ints());
    assert_eq!(all.len(), 10);
    assert_eq!(all[9].value, int(98));
    assert!(run(Func::Top(0), &floats()).is_empty());
}

#[test]
fn top_beyond_twelve_points_sorts_the_same_way() {
    let data: Vec<_> = (0..40).map(|i| (i * S, int((i * 7) % 13))).collect();
    let out = values(&run(Func::Top(15), &data));
    let mut want: Vec<_> = data.clone();
    want.sort_by(|a, b| {
        b.1.as_f64()
            .partial_cmp(&a.1.as_f64())
            .unwrap()
            .then(a.0.cmp(&b.0))
    });
    want.truncate(15);
    assert_eq!(out, want);
}

#[test]
fn elapsed_every_type() {
    let data = [(S, f(1.0)), (2 * S, f(1.0)), (5 * S, f(1.0))];
    assert_eq!(
        run_each(Func::Elapsed(S), &data),
        vec![(2 * S, int(1)), (5 * S, int(3))]
    );
    let data = [
        (0, FieldValue::String("a".into())),
        (1500 * 1_000_000, FieldValue::String("b".into())),
    ];
    assert_eq!(
        run_each(Func::Elapsed(1_000_000), &data),
        vec![(1500 * 1_000_000, int(1500))]
    );
    let data = [(0, FieldValue::Bool(true)), (3 * S, FieldValue::Bool(true))];
    assert_eq!(run_each(Func::Elapsed(S), &data), vec![(3 * S, int(3))]);
}

#[test]
fn difference_skips_points_at_the_current_time() {
    let data = [(0, int(20)), (4, int(10)), (4, int(30)), (8, int(19))];
    assert_eq!(
        run_each(Func::Difference, &data),
        vec![(4, int(-10)), (8, int(9))]
    );
    let data = [(0, f(1.5)), (1, f(4.0))];
    assert_eq!(run_each(Func::Difference, &data), vec![(1, f(2.5))]);
}

#[test]
fn moving_average_waits_for_a_full_window() {
    // InfluxDB's MovingAverage_Float / _Integer cases.
    let data = [(0, f(20.0)), (4, f(10.0)), (8, f(19.0)), (12, f(3.0))];
    assert_eq!(
        run_each(Func::MovingAverage(2), &data),
        vec![(4, f(15.0)), (8, f(14.5)), (12, f(11.0))]
    );
    let data = [(0, int(20)), (4, int(10)), (8, int(19)), (12, int(3))];
    assert_eq!(
        run_each(Func::MovingAverage(2), &data),
        vec![(4, f(15.0)), (8, f(14.5)), (12, f(11.0))]
    );
}

#[test]
fn cumulative_sum_includes_duplicates() {
    let data = [(0, f(20.0)), (0, f(19.0)), (4, f(10.0)), (4, f(3.0))];
    assert_eq!(
        run_each(Func::CumulativeSum, &data),
        vec![(0, f(20.0)), (0, f(39.0)), (4, f(49.0)), (4, f(52.0))]
    );
    let data = [(0, int(20)), (0, int(19)), (4, int(10)), (4, int(3))];
    assert_eq!(
        run_each(Func::CumulativeSum, &data),
        vec![(0, int(20)), (0, int(39)), (4, int(49)), (4, int(52))]
    );
}

#[test]
fn holt_winters_seasonal_forecast_matches_influxdb() {
    // InfluxDB's HoltWinters_GroupBy_Agg: means of 2s buckets, h=2, m=2.
    let data: Vec<_> = [5.0, 10.0, 6.0, 11.0, 7.0]
        .iter()
        .enumerate()
        .map(|(i, v)| ((10 + 2 * i as i64) * S, f(*v)))
        .collect();
    let out = run(
        Func::HoltWinters {
            h: 2,
            m: 2,
            interval: 2 * S,
            fit: false,
        },
        &data,
    );
    assert_eq!(
        values(&out),
        vec![
            (20 * S, f(11.960623419918432)),
            (22 * S, f(7.953140268154609))
        ]
    );
}

#[test]
fn holt_winters_aus_tourists() {
    let series = [
        30.052513, 19.148496, 25.317692, 27.591437, 32.076456, 23.487961, 28.47594, 35.123753,
        36.838485, 25.007017, 30.72223, 28.693759, 36.640986, 23.824609, 29.311683, 31.770309,
        35.177877, 19.775244, 29.60175, 34.538842, 41.273599, 26.655862, 28.279859, 35.191153,
        41.727458, 24.04185, 32.328103, 37.328708, 46.213153, 29.346326, 36.48291, 42.977719,
        48.901525, 31.180221, 37.717881, 40.420211, 51.206863, 31.887228, 40.978263, 43.772491,
        55.558567, 33.850915, 42.076383, 45.642292, 59.76678, 35.191877, 44.319737, 47.913736,
    ];
    let data: Vec<_> = series
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 + 1, f(*v)))
        .collect();
    let out = run(
        Func::HoltWinters {
            h: 10,
            m: 4,
            interval: 1,
            fit: false,
        },
        &data,
    );
    let want = [
        51.85064132137853,
        43.26055282315273,
        41.827258044814464,
        54.3990354591749,
        54.62334472770803,
        45.57155693625209,
        44.06051240252263,
        57.30029870759433,
        57.53591513519172,
        47.999008139396096,
    ];
    let want: Vec<_> = want
        .iter()
        .enumerate()
        .map(|(i, v)| (49 + i as i64, f(*v)))
        .collect();
    assert_eq!(values(&out), want);
}

#[test]
fn holt_winters_with_fit_us_population() {
    let series = [
        3.93, 5.31, 7.24, 9.64, 12.90, 17.10, 23.20, 31.40, 39.80, 50.20, 62.90, 76.00, 92.00,
        105.70, 122.80, 131.70, 151.30, 179.30, 203.20,
    ];
    let data: Vec<_> = series
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 + 1, f(*v)))
        .collect();
    let out = run(
        Func::HoltWinters {
            h: 10,
            m: 0,
            interval: 1,
            fit: true,
        },
        &data,
    );
    assert_eq!(out.len(), 29);
    assert_eq!(
        values(&out[..3]),
        vec![
            (1, f(3.93)),
            (2, f(4.957405463559748)),
            (3, f(7.012210102535647))
        ]
    );
    assert_eq!(values(&out[28..]), vec![(29, f(571.1721419458248))]);
}

#[test]
fn holt_winters_needs_two_points_and_a_horizon() {
    let hw = Func::HoltWinters {
        h: 3,
        m: 0,
        interval: S,
        fit: false,
    };
    assert!(run(hw.clone(), &[(0, f(1.0))]).is_empty());
    let none = Func::HoltWinters {
        h: 0,
        m: 0,
        interval: S,
        fit: false,
    };
    assert!(run(none, &[(0, f(1.0)), (S, f(2.0))]).is_empty());
    // Both points in one bucket: nothing to fit.
    assert!(run(hw, &[(0, f(1.0)), (S / 4, f(2.0))]).is_empty());
}

#[test]
fn type_errors_use_kapacitor_messages() {
    let err = |func: Func, v: FieldValue| {
        Context::realize(&func, "value", &fields(v), None)
            .err()
            .unwrap()
    };
    assert_eq!(
        err(Func::Mean, FieldValue::String("x".into())),
        "invalid influxql func mean with field value: cannot apply mean to string field"
    );
    assert_eq!(
        err(Func::Max, FieldValue::Bool(true)),
        "invalid influxql func max with field value: cannot apply max to bool field"
    );
    assert_eq!(
        err(Func::Sum, FieldValue::UInt(3)),
        "invalid influxql func sum with field value: invalid field kind: uint64"
    );
    assert_eq!(
        err(
            Func::HoltWinters {
                h: 1,
                m: 0,
                interval: S,
                fit: true
            },
            FieldValue::String("x".into())
        ),
        "invalid influxql func holtWinters with field value: cannot apply holtWinters to string field"
    );
    assert_eq!(
        Context::realize(&Func::Count, "value", &Fields::new(), None)
            .err()
            .unwrap(),
        "field \"value\" missing from point"
    );

    let mut c = Context::realize(&Func::Sum, "value", &fields(f(1.0)), None).unwrap();
    let tags = Tags::new();
    assert_eq!(
        c.aggregate("value", 0, None, &tags, &fields(int(2)))
            .unwrap_err(),
        "field value has wrong type: got int64 exp float64"
    );
    assert_eq!(
        c.aggregate("value", 0, None, &tags, &Fields::new())
            .unwrap_err(),
        "field value missing from point cannot aggregate"
    );
}

#[test]
fn accepted_types_match_kapacitor() {
    use Kind::{Boolean, Float, Integer, String};
    let cases: [(Func, [bool; 4]); 21] = [
        (Func::Count, [true; 4]),
        (Func::Distinct, [true; 4]),
        (Func::Mean, [true, true, false, false]),
        (Func::Median, [true, true, false, false]),
        (Func::Mode, [true, true, false, false]),
        (Func::Spread, [true, true, false, false]),
        (Func::Sum, [true, true, false, false]),
        (Func::First, [true; 4]),
        (Func::Last, [true; 4]),
        (Func::Min, [true, true, false, false]),
        (Func::Max, [true, true, false, false]),
        (Func::Stddev, [true, true, false, false]),
        (Func::Percentile(50.0), [true, true, false, false]),
        (Func::Top(1), [true, true, false, false]),
        (Func::Bottom(1), [true, true, false, false]),
        (Func::Elapsed(S), [true; 4]),
        (Func::Difference, [true, true, false, false]),
        (Func::MovingAverage(2), [true, true, false, false]),
        (Func::CumulativeSum, [true, true, false, false]),
        (
            Func::HoltWinters {
                h: 1,
                m: 0,
                interval: S,
                fit: false,
            },
            [true, true, false, false],
        ),
        (
            Func::HoltWinters {
                h: 1,
                m: 0,
                interval: S,
                fit: true,
            },
            [true, true, false, false],
        ),
    ];
    for (func, ok) in cases {
        for (kind, ok) in [Float, Integer, String, Boolean].into_iter().zip(ok) {
            assert_eq!(func.create(kind).is_ok(), ok, "{func:?} {kind:?}");
        }
    }
}

#[test]
fn count_and_sum_of_nothing() {
    let mut c = Context::for_kind(&Func::Count, "value", Kind::Float, None).unwrap();
    assert_eq!(values(&c.emit()), vec![(0, int(0))]);
    let mut c = Context::for_kind(&Func::Sum, "value", Kind::Float, None).unwrap();
    assert_eq!(values(&c.emit()), vec![(0, f(0.0))]);
}

#[test]
fn a_reused_context_starts_afresh() {
    let mut c = Context::realize(&Func::Mean, "value", &fields(f(1.0)), None).unwrap();
    let tags = Tags::new();
    c.aggregate("value", 0, None, &tags, &fields(f(10.0)))
        .unwrap();
    let mut c = Context::realize(&Func::Mean, "value", &fields(f(1.0)), Some(c)).unwrap();
    c.aggregate("value", 0, None, &tags, &fields(f(2.0)))
        .unwrap();
    assert_eq!(values(&c.emit()), vec![(ZERO_TIME, f(2.0))]);
}

#[test]
fn stream_points_are_copied_when_selected() {
    let mut c = Context::realize(&Func::Max, "value", &fields(f(1.0)), None).unwrap();
    let mut tags = Tags::new();
    tags.insert("host", "a".into());
    c.aggregate("value", 0, None, &tags, &fields(f(3.0)))
        .unwrap();
    let out = c.emit();
    assert_eq!(out[0].aux, Aux::Owned(Box::new((tags, fields(f(3.0))))));
}
