fn main() {
    std::process::exit(zerogap::cli::main());
}

// The YAML trees of a large contract set are many small allocations made and freed in
// bursts: with mimalloc `check` on the 5,000-table bench uses ~20 % less CPU (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
