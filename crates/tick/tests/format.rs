//! `tickfmt` layout, with the cases of Kapacitor's `tick/fmt_test.go`.
#![allow(clippy::unwrap_used)]

use kapa_tick::{format, format_expr, format_script, parse, parse_lambda};

fn check(script: &str, expected: &str) {
    let got = format_script(script).unwrap_or_else(|e| panic!("{e}\n{script}"));
    assert_eq!(got, expected, "script:\n{script}\ngot:\n{got}");
}

#[test]
fn simple_declarations() {
    check("var x = 1", "var x = 1\n");
    check("var x=1", "var x = 1\n");
    check("var x=1.0", "var x = 1.0\n");
    check("var x=01", "var x = 01\n");
    check("var x=0600", "var x = 0600\n");
    check("var x=1m", "var x = 1m\n");
    check("var x=60s", "var x = 60s\n");
    check("var x int", "var x int\n");
    check(
        "dbrp \"telegraf\".\"autogen\"",
        "dbrp \"telegraf\".\"autogen\"\n",
    );
}

#[test]
fn chains_one_call_per_line() {
    check(
        "var x=stream()|window().period(10s).every(10s)",
        "var x = stream()\n    |window()\n        .period(10s)\n        .every(10s)\n",
    );
}

#[test]
fn chain_comments() {
    check(
        "var x = stream()\n//Window data  \n|window()\n// Period / Every 10s\n.period(10s).every(10s)",
        "var x = stream()\n    // Window data\n    |window()\n        // Period / Every 10s\n        .period(10s)\n        .every(10s)\n",
    );
}

#[test]
fn multi_line_arguments_with_comments() {
    check(
        "var x = stream()\n@udf()\n    .option(\n        // Param 1\n        1,\n        // Param 2\n        2,\n        // Param 3\n        3,\n        // Param 4\n        4,\n                )\n",
        "var x = stream()\n    @udf()\n        .option(\n            // Param 1\n            1,\n            // Param 2\n            2,\n            // Param 3\n            3,\n            // Param 4\n            4\n        )\n",
    );
}

#[test]
fn redundant_parentheses_are_dropped() {
    check(
        "global(lambda: (\"a\" + (1)) / (( 4 +\"b\") * (\"c\")))",
        "global(lambda: (\"a\" + 1) / ((4 + \"b\") * \"c\"))\n",
    );
    check(
        "global(lambda: (1 + 2 - 3 * 4 / 5) < (sin(6)) AND (TRUE OR FALSE))",
        "global(lambda: (1 + 2 - 3 * 4 / 5) < sin(6) AND (TRUE OR FALSE))\n",
    );
}

#[test]
fn multi_line_binary_expressions() {
    check(
        "global(lambda: \n(1 + 2 - 3 * 4 / 5) \n< \n(sin(6))\nAND \n(TRUE\nOR (FALSE \nAND TRUE)))",
        "global(lambda: (1 + 2 - 3 * 4 / 5) <\n    sin(6) AND\n    (TRUE OR\n        (FALSE AND\n            TRUE)))\n",
    );
    check(
        "global(lambda: \n// If this\n// is less than that\n(1 + 2 - 3 * 4 / 5) \n< (sin(6))\nAND \n// more comments.\n(TRUE OR FALSE), 'arg',)",
        "global(\n    lambda: \n    // If this\n    // is less than that\n    (1 + 2 - 3 * 4 / 5) <\n    sin(6) AND\n    // more comments.\n    (TRUE OR FALSE),\n    'arg'\n)\n",
    );
}

#[test]
fn comment_blocks_are_preserved() {
    check(
        "// Preserve comments spacing\n\n// Comment block 1\n// still 1\n\n// Comment block 2\n// still 2\n\n// Preserve per line spacing\n//     indented\n//fix this line\n//\n\n\nvar x = stream\n\t|from()\n\t\t//.measurement('mem')\n\t\t.measurement('cpu')\n\n// This should be its own comment block\nx |alert()\n\t\n\n",
        "// Preserve comments spacing\n\n// Comment block 1\n// still 1\n\n// Comment block 2\n// still 2\n\n// Preserve per line spacing\n//     indented\n// fix this line\n//\nvar x = stream\n    |from()\n        // .measurement('mem')\n        .measurement('cpu')\n\n// This should be its own comment block\nx\n    |alert()\n",
    );
}

#[test]
fn comment_all_the_things() {
    check(
        "// Comment all the things\nvar \nx = \nstream()\n// 1\n|\nudf()\n// 2\n    .option(\n        // 3\n        1,\n        // 4\n        2.0,\n        // 5\n        3h,\n        // 6\n        'a',\n    )\n// 7\n|\neval(\n// 8\nlambda:\na * b + c\n,\n)\n// 9\n|\ngroupBy(\n//10 \n*\n)\n// 11\n",
        "// Comment all the things\nvar x = stream()\n    // 1\n    |udf()\n        // 2\n        .option(\n            // 3\n            1,\n            // 4\n            2.0,\n            // 5\n            3h,\n            // 6\n            'a'\n        )\n    // 7\n    |eval(\n        // 8\n        lambda: a * b + c\n    )\n    // 9\n    |groupBy(\n        // 10\n        *\n    )\n\n// 11\n\n",
    );
}

#[test]
fn top_scores_example() {
    check(
        "\n\t\t\t// Define a result that contains the most recent score per player.\nvar topPlayerScores = stream\n    |from().measurement('scores')\n    // Get the most recent score for each player per game.\n// Not likely that a player is playing two games but just in case.\n.groupBy('game', 'player')\n    |window()\n        // keep a buffer of the last 11s of scores\n        // just in case a player score hasn't updated in a while\n        .period(11s)\n        // Emit the current score per player every second.\n.every(1s)\n        // Align the window boundaries to be on the second.\n.align()\n    |last('value')\n\n// Calculate the top 15 scores per game\nvar topScores = topPlayerScores\n    |groupBy('game')\n    |top(15, 'last', 'player')\n\n// Expose top scores over the HTTP API at the 'top_scores' endpoint.\n// Now your app can just request the top scores from Kapacitor\n// and always get the most recent result.\n//\n// http://localhost:9092/api/v1/top_scores/top_scores\ntopScores\n   |httpOut('top_scores')\n\n// Sample the top scores and keep a score once every 10s\nvar topScoresSampled = topScores\n    |sample(10s)\n\n// Store top fifteen player scores in InfluxDB.\ntopScoresSampled\n    |influxDBOut()\n        .database('game')\n        .measurement('top_scores')\n\n// Calculate the max and min of the top scores.\nvar max = topScoresSampled\n    |max('top')\nvar min = topScoresSampled\n    |min('top')\n\n// Join the max and min streams back together and calculate the gap.\nmax|join(min)\n        .as('max', 'min')\n    // calculate the difference between the max and min scores.\n|eval(lambda: \"max.max\" - \"min.min\", lambda: \"max.max\", lambda: \"min.min\")\n        .as('gap', 'topFirst', 'topLast')\n    // store the fields: gap, topFirst, and topLast in InfluxDB.\n|influxDBOut()\n        .database('game')\n        .measurement('top_scores_gap')\n",
        "// Define a result that contains the most recent score per player.\nvar topPlayerScores = stream\n    |from()\n        .measurement('scores')\n        // Get the most recent score for each player per game.\n        // Not likely that a player is playing two games but just in case.\n        .groupBy('game', 'player')\n    |window()\n        // keep a buffer of the last 11s of scores\n        // just in case a player score hasn't updated in a while\n        .period(11s)\n        // Emit the current score per player every second.\n        .every(1s)\n        // Align the window boundaries to be on the second.\n        .align()\n    |last('value')\n\n// Calculate the top 15 scores per game\nvar topScores = topPlayerScores\n    |groupBy('game')\n    |top(15, 'last', 'player')\n\n// Expose top scores over the HTTP API at the 'top_scores' endpoint.\n// Now your app can just request the top scores from Kapacitor\n// and always get the most recent result.\n//\n// http://localhost:9092/api/v1/top_scores/top_scores\ntopScores\n    |httpOut('top_scores')\n\n// Sample the top scores and keep a score once every 10s\nvar topScoresSampled = topScores\n    |sample(10s)\n\n// Store top fifteen player scores in InfluxDB.\ntopScoresSampled\n    |influxDBOut()\n        .database('game')\n        .measurement('top_scores')\n\n// Calculate the max and min of the top scores.\nvar max = topScoresSampled\n    |max('top')\n\nvar min = topScoresSampled\n    |min('top')\n\n// Join the max and min streams back together and calculate the gap.\nmax\n    |join(min)\n        .as('max', 'min')\n    // calculate the difference between the max and min scores.\n    |eval(lambda: \"max.max\" - \"min.min\", lambda: \"max.max\", lambda: \"min.min\")\n        .as('gap', 'topFirst', 'topLast')\n    // store the fields: gap, topFirst, and topLast in InfluxDB.\n    |influxDBOut()\n        .database('game')\n        .measurement('top_scores_gap')\n",
    );
}

#[test]
fn literals_are_written_back_in_source_form() {
    check(
        "var x = lambda: \"a b\" =~ /^a\\/b$/ AND 'it\\'s' == '''raw 'q' ''' OR \"q\\\"\" > .5",
        "var x = lambda: \"a b\" =~ /^a\\/b$/ AND 'it\\'s' == '''raw 'q' ''' OR \"q\\\"\" > 0.5\n",
    );
    check("var x = [a, 'b', *]", "var x = [a, 'b', *]\n");
    check("var x = -5m", "var x = -5m\n");
    check("var x = !TRUE", "var x = !TRUE\n");
    check("var x = 1.5e", "var x = 1.5\n\ne\n");
}

#[test]
fn format_from_ast_keeps_var_comments_only() {
    let src = "// threshold\nvar x = 0644\n// lost\nstream|from()\n    .measurement('cpu')\n";
    let program = parse(src).unwrap();
    assert_eq!(
        format(&program),
        "// threshold\nvar x = 420\n\nstream\n    |from()\n        .measurement('cpu')\n"
    );
}

#[test]
fn expression_text() {
    let lambda = parse_lambda("\"value\"  >10 AND   \"host\"=='a'").unwrap();
    assert_eq!(
        format_expr(&lambda),
        "lambda: \"value\" > 10 AND \"host\" == 'a'"
    );
}
