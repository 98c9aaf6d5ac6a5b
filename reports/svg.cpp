#include "reports/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/format.hpp"

namespace nictune::report::svg {

std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo || count < 1) return ticks;
  const double rough = (hi - lo) / count;
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  const double normalised = rough / magnitude;
  const double step = (normalised < 1.5 ? 1
                       : normalised < 3 ? 2
                       : normalised < 7 ? 5
                                        : 10) *
                      magnitude;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    if (ticks.size() > 50) break;
  }
  return ticks;
}

Range padded_range(double lo, double hi, double fraction) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  double span = hi - lo;
  if (span <= 0) span = lo != 0 ? std::fabs(lo) * 0.1 : 1;
  return {lo - span * fraction, hi + span * fraction};
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string heat_colour(double fraction) {
  if (!std::isfinite(fraction)) return "#eeeeee";
  const double f = std::clamp(fraction, 0.0, 1.0);
  // #ffffff -> #d9480f
  const auto channel = [f](int from, int to) {
    return static_cast<int>(std::lround(from + (to - from) * f));
  };
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", channel(255, 0xd9), channel(255, 0x48),
                channel(255, 0x0f));
  return buf;
}

bool heat_needs_light_text(double fraction) {
  return std::isfinite(fraction) && fraction > 0.55;
}

Plot::Plot(std::string kind, double width, double height, std::string title)
    : kind_(std::move(kind)), title_(std::move(title)), width_(width), height_(height) {}

void Plot::x_axis(Range range, std::string label) {
  x_ = range;
  x_label_ = std::move(label);
  categories_.clear();
}

void Plot::y_axis(Range range, std::string label) {
  y_ = range;
  y_label_ = std::move(label);
}

void Plot::x_categories(std::vector<std::string> names, std::string label) {
  categories_ = std::move(names);
  x_label_ = std::move(label);
}

double Plot::px(double x) const {
  return left_ + (x - x_.lo) / (x_.hi - x_.lo) * (right() - left_);
}

double Plot::py(double y) const {
  return bottom() - (y - y_.lo) / (y_.hi - y_.lo) * (bottom() - top_);
}

double Plot::category_x(std::size_t index) const {
  const double slot =
      (right() - left_) / static_cast<double>(std::max<std::size_t>(1, categories_.size()));
  return left_ + slot * (static_cast<double>(index) + 0.5);
}

std::string Plot::str() const {
  std::string s = "<svg class=\"plot\" data-plot=\"" + html_escape(kind_) +
                  "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width_) +
                  "\" height=\"" + num(height_) + "\" viewBox=\"0 0 " + num(width_) + " " +
                  num(height_) + "\" role=\"img\" aria-label=\"" + html_escape(title_) +
                  "\">\n<title>" + html_escape(title_) + "</title>\n";
  s += "<rect class=\"frame\" x=\"" + num(left_) + "\" y=\"" + num(top_) + "\" width=\"" +
       num(right() - left_) + "\" height=\"" + num(bottom() - top_) + "\"/>\n";
  for (double t : nice_ticks(y_.lo, y_.hi, 5)) {
    const double y = py(t);
    s += "<line class=\"grid\" x1=\"" + num(left_) + "\" x2=\"" + num(right()) + "\" y1=\"" +
         num(y) + "\" y2=\"" + num(y) + "\"/><text class=\"tick\" x=\"" + num(left_ - 6) +
         "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + html_escape(format_number(t)) +
         "</text>\n";
  }
  if (categories_.empty()) {
    for (double t : nice_ticks(x_.lo, x_.hi, 5)) {
      const double x = px(t);
      s += "<line class=\"grid\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(top_) +
           "\" y2=\"" + num(bottom()) + "\"/><text class=\"tick\" x=\"" + num(x) + "\" y=\"" +
           num(bottom() + 16) + "\" text-anchor=\"middle\">" + html_escape(format_number(t)) +
           "</text>\n";
    }
  } else {
    for (std::size_t i = 0; i < categories_.size(); ++i) {
      std::string name = categories_[i];
      if (name.size() > 14) name = name.substr(0, 13) + "…";
      s += "<text class=\"tick\" x=\"" + num(category_x(i)) + "\" y=\"" + num(bottom() + 16) +
           "\" text-anchor=\"middle\">" + html_escape(name) + "</text>\n";
    }
  }
  s += "<text class=\"axis-label\" x=\"" + num((left_ + right()) / 2) + "\" y=\"" +
       num(height_ - 8) + "\" text-anchor=\"middle\">" + html_escape(x_label_) + "</text>\n";
  const double cy = (top_ + bottom()) / 2;
  s += "<text class=\"axis-label\" x=\"14\" y=\"" + num(cy) +
       "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + num(cy) + ")\">" +
       html_escape(y_label_) + "</text>\n";
  s += body_;
  s += "</svg>\n";
  return s;
}

}  // namespace nictune::report::svg
