#ifndef KONFIDENT_CQRENCODE_SHIM_H
#define KONFIDENT_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
