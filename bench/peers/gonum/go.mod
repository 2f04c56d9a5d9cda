module github.com/simdnn/simdnn/bench/peers/gonum

go 1.26.0

require github.com/simdnn/simdnn v0.0.0

require gonum.org/v1/gonum v0.17.0

replace github.com/simdnn/simdnn => ../../..
