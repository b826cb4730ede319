fn main() {
    std::process::exit(zerogap::cli::main());
}
