#include "reports/render.hpp"
namespace nictune::report {
void render_html(const Report&, std::ostream& out) { out << "<!doctype html>\n"; }
}
