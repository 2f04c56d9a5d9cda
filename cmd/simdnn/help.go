package main

// commandDocs describes each command for `simdnn help`; the flags come
// from `simdnn help <command>`.
var commandDocs = map[string]string{
	"train": `
simdnn train [-hidden 15] [-epochs 50] [-batch 1024] [-lr 0.2] [-momentum 0]
             [-val-split F] [-patience N] [-out model.safetensors]
             [-history h.csv|h.json] [-plot curves.png] [-json] ...
  Trains 784 → hidden… → 10 on MNIST, one line per epoch on stderr (or JSON
  lines on stdout with -json), then the test loss and accuracy. -val-split
  holds out the last fraction of the training images and reports val_loss
  and val_accuracy; -patience stops when val_loss stops improving and keeps
  the best epoch's weights. -out saves the model (safetensors), -history the
  per-epoch metrics, -plot the loss and accuracy curves. On a terminal a
  progress bar shows within epochs that take over a second. Ctrl-C stops
  after the current batch, writes -out, -history and -plot, and exits 130.`,
	"eval": `
simdnn eval -model FILE [-json]
  Loads a saved model and prints its test loss and accuracy (the same
  figures train printed), the confusion matrix and each class's precision
  and recall.`,
	"predict": `
simdnn predict -model FILE [-grid out.png] [-invert auto|yes|no] [-json] [INPUT ...]
  Classifies each INPUT — a test-set index, or a PNG/JPEG file (made
  grayscale and resized to 28×28; a light background is inverted to MNIST's
  light-on-dark) — and prints the true class (when known), the predicted one
  and the ten probabilities. Without inputs it takes test images 0 to 8.
  -grid draws the first nine, titled "true → predicted", wrong ones in red.
  Flags come before the inputs.`,
	"samples": `
simdnn samples -out grid.png [-start 0] [-set train|test]
  Draws 16 MNIST images, 4×4, each titled with its label.`,
	"info": `
simdnn info [-json]
  The CPU's brand name and features, the kernel implementations this CPU
  runs, and the one chosen (SIMDNN_IMPL overrides the choice).`,
}
