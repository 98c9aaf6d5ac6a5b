// A small SVG plotting kit for the HTML report: linear axes with round ticks, a plot frame with
// labels, and colour ramps. Output is plain SVG text that any browser draws without scripts.
#pragma once

#include <string>
#include <vector>

namespace nictune::report::svg {

// Round tick positions covering [lo, hi], about `count` of them (1, 2, 5 x 10^k steps).
std::vector<double> nice_ticks(double lo, double hi, int count = 5);

// [lo, hi] widened so that no data point sits on the frame; a degenerate range gets a width.
struct Range {
  double lo = 0, hi = 1;
};
Range padded_range(double lo, double hi, double fraction = 0.06);

// "12.3" with one decimal, for coordinates.
std::string num(double v);

// White -> deep orange for 0..1 (clamped); and whether text on it should be white.
std::string heat_colour(double fraction);
bool heat_needs_light_text(double fraction);

class Plot {
 public:
  // kind goes into data-plot="..." so tests and readers can find the plot; title is its
  // accessible name and tooltip.
  Plot(std::string kind, double width, double height, std::string title);

  void x_axis(Range range, std::string label);
  void y_axis(Range range, std::string label);
  // Evenly spaced categories on x instead of a numeric axis.
  void x_categories(std::vector<std::string> names, std::string label);

  double px(double x) const;  // data -> pixel
  double py(double y) const;
  double category_x(std::size_t index) const;

  double left() const { return left_; }
  double right() const { return width_ - right_margin_; }
  double top() const { return top_; }
  double bottom() const { return height_ - bottom_margin_; }

  void add(const std::string& element) { body_ += element; }
  // The <svg> element: frame, grid, ticks and labels under the added elements.
  std::string str() const;

 private:
  std::string kind_, title_;
  double width_, height_;
  double left_ = 72, right_margin_ = 16, top_ = 14, bottom_margin_ = 46;
  Range x_, y_;
  std::string x_label_, y_label_;
  std::vector<std::string> categories_;
  std::string body_;
};

}  // namespace nictune::report::svg
