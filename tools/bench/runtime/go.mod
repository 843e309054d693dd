module github.com/resilvet/resilvet/tools/bench/runtime

go 1.26.0

require (
	github.com/failsafe-go/failsafe-go v0.9.8
	github.com/resilvet/resilvet v0.0.0
	github.com/sony/gobreaker/v2 v2.4.0
	golang.org/x/sync v0.24.0
)

require github.com/bits-and-blooms/bitset v1.24.4 // indirect

replace github.com/resilvet/resilvet => ../../..
