// unprobed_frames.hpp: functions with large frames that are not probed page by page.
#pragma once

namespace unprobed {

// A 96 KiB local buffer of which only the 64 lowest bytes are written; returns a sum of them.
int write_low_end_of_96k_buffer();

}  // namespace unprobed
