//! The `kapacitord` binary.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(kapa_server::server::main_with_args(&args));
}
