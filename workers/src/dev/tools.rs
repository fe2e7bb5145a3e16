//! Where the bootstrapped tools are: `$HEDGEFLOW_TOOLS_DIR`, else `.tools/bin` in the current
//! directory or any parent (the repository), else `PATH`.

use std::path::{Path, PathBuf};

pub fn find(tool: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("HEDGEFLOW_TOOLS_DIR") {
        return Path::new(&dir).join(tool);
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(current) = dir {
        let candidate = current.join(".tools/bin").join(tool);
        if candidate.exists() {
            return candidate;
        }
        dir = current.parent().map(Path::to_path_buf);
    }
    PathBuf::from(tool)
}
