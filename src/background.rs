//! Work nobody waits for.

/// Frees a large value (objects, their JSON, compiled schemas, the sources) on a rayon thread:
/// a command prints and exits before the work is done, and a long-lived caller gets the memory
/// back shortly.
pub fn drop_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}
