// The shims are static inline functions in include/CLinuxShims.h; SwiftPM needs one C file.
#include "CLinuxShims.h"
