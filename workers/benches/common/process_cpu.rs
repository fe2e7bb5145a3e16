//! A process's CPU time, every thread, from its `/proc/<pid>/stat` (utime + stime).

use std::path::Path;
use std::time::Duration;

/// The kernel's user-space clock: `/proc` counts CPU time in ticks of 10 ms.
const TICK: Duration = Duration::from_millis(10);

/// CPU time of the process whose `stat` file is `stat` (`/proc/self/stat` for this one); zero
/// when it is gone.
pub fn of(stat: &Path) -> Duration {
    let stat = std::fs::read_to_string(stat).unwrap_or_default();
    // The command name may hold spaces: count fields from its closing parenthesis.
    let ticks: u32 = stat
        .rsplit_once(')')
        .map(|(_, fields)| {
            fields
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|t| t.parse::<u32>().ok())
                .sum()
        })
        .unwrap_or(0);
    TICK * ticks
}
