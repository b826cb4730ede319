fn main() {
    std::process::exit(zerogap::cli::main());
}

// The YAML trees of a large contract set are many small allocations made and freed in
// bursts: with mimalloc `check` on the 5,000-table bench uses ~20 % less CPU (BENCHMARKS.md).
// Built without transparent huge pages (feature `no_thp`): with them every first touch of a
// 2 MiB region is zeroed whole, which cost `check` 0.4-0.5 s of system time there, 0.18 s
// without.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
