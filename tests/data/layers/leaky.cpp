// Not compiled: the input of the layer check's own tests (tests/unit/layers). It includes what a
// report must not know of.
#include <sqlite3.h>

#include "core/json_util.hpp"
#include "orchestrator/store/store.hpp"
