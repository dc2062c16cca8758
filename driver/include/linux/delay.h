/* linux/delay.h - sleeping runs the machine for that much virtual time. */
#ifndef VS_LINUX_DELAY_H
#define VS_LINUX_DELAY_H

void msleep(unsigned int msecs);

#endif /* VS_LINUX_DELAY_H */
