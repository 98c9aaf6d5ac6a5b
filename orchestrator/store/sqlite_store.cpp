#include "orchestrator/store/store.hpp"
