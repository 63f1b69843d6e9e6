//! Links the binary against the libpython found at build time, with an
//! rpath to it, so the embedded interpreter is always the one we were built
//! for (DESIGN §2: never let pyo3 guess an interpreter at run time).
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    // The interpreter we were built against: the fallback `executable` when
    // the user has no virtualenv, so its standard library matches libpython.
    if let Some(exe) = config.executable() {
        println!("cargo:rustc-env=ALEMBIC_RS_BUILD_PYTHON={exe}");
    }
    println!(
        "cargo:rustc-env=ALEMBIC_RS_PYTHON_VERSION={}.{}",
        config.version().major,
        config.version().minor
    );
}
