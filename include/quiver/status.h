// In the source tree the embedded API's Status and Result are the engine's own; `make install`
// installs src/common/status.h under this name.
#pragma once

#include "common/status.h"
