// Package loadgen is what the load tools under cmd share: the loopback
// guard, a closed-loop request driver bounded in requests and time, a
// latency histogram, and a process's memory figures from /proc.
package loadgen
