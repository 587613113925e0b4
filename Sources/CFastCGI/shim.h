#ifndef KONFIDENT_CFASTCGI_SHIM_H
#define KONFIDENT_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
