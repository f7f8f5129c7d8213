// C shim for SeccamSpool's MQTT notifier: libmosquitto's header (all its functions are plain, non-variadic C).
#ifndef CSECCAM_MOSQUITTO_SHIM_H
#define CSECCAM_MOSQUITTO_SHIM_H

#include <mosquitto.h>

#endif
