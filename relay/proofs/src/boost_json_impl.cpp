// Boost.JSON used header-only: its out-of-line definitions (error categories, the parser's stack, ...) compiled
// once, here, for json_input.cpp's basic_parser. No other translation unit of the program may include this file.
#include <boost/json/src.hpp>
