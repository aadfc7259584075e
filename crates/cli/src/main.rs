//! `kapacitor`: the command-line client of Kapacitor's HTTP API.

mod client;
mod cmd;
mod dbrp;
mod failure;
mod flags;
mod gofmt;
mod topics_api;
mod usage;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match cmd::run(&args, &cmd::Env::from_process()) {
        Ok(()) => 0,
        Err(failure) => {
            let (text, code) = failure.report();
            eprint!("{text}");
            code
        }
    };
    std::process::exit(code);
}
