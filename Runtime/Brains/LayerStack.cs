using System;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

/// <summary>
/// The layers of a brain and the passes through them, on its workspace: the training forward (every layer keeps z
/// and y), the backward pass, and inference in row blocks. Every backend runs these same calls.
/// </summary>
internal sealed class LayerStack : IParallelWork
{
    private readonly IBackend _backend;
    private readonly Workspace _work;
    private readonly int _inputs, _outputs, _maxBatch;
    private BufferSlice _x, _y;
    private int _rows, _blockRows;
    private bool _warmed;
    private readonly DenseChainLayer[]? _chain;
    private BufferSlice _chainParameters;
    private bool _chainPrepared;

    public LayerStack(BrainSpec spec, IBackend backend)
    {
        _backend = backend;
        _inputs = spec.Inputs;
        _outputs = spec.Outputs;
        _maxBatch = spec.MaxBatch;
        Layers = new Layer[spec.Layers.Count];
        int fanIn = spec.Inputs;
        for (int i = 0; i < Layers.Length; i++)
        {
            LayerSpec l = spec.Layers[i];
            Layers[i] = new Dense(fanIn, l.Outputs, l.Activation, l.Init);
            fanIn = l.Outputs;
        }
        _work = new Workspace(backend, spec, Layers);
        if (_work.Host is not null) _chain = new DenseChainLayer[Layers.Length];
    }

    /// <summary>Predict over any batch, in chunks of MaxBatch rows (see <see cref="Infer"/>).</summary>
    /// <param name="inputs">(batch, Inputs), validated.</param>
    /// <param name="outputs">(batch, Outputs), validated.</param>
    /// <param name="batch">Rows.</param>
    public unsafe void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        _work.ForwardRows = -1;
        fixed (float* px = inputs)
        fixed (float* py = outputs)
        {
            for (int start = 0; start < batch; start += _maxBatch)
            {
                int rows = Math.Min(_maxBatch, batch - start);
                BufferSlice x = _work.StageInput(px + (long)start * _inputs, rows * _inputs);
                BufferSlice y = _work.OutputFor(py + (long)start * _outputs, rows * _outputs, Output);
                Infer(x, y, rows);
                _work.Deliver(py + (long)start * _outputs, y);
            }
        }
    }

    /// <summary>Forward, loss and (when the loss is finite) backward on the caller's rows; returns the loss.</summary>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="inputs">(batch, Inputs), validated.</param>
    /// <param name="targets">(batch, Outputs), validated.</param>
    /// <param name="batch">Rows, at most MaxBatch.</param>
    public unsafe float Accumulate(Loss loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        fixed (float* px = inputs)
        fixed (float* pt = targets)
        {
            BufferSlice x = _work.StageInput(px, batch * _inputs), t = _work.StageTarget(pt, batch * _outputs);
            float value = ForwardLoss(loss, x, t, batch);
            if (!float.IsNaN(value) && !float.IsInfinity(value)) BackwardLoss(loss, x, t, batch);
            return value;
        }
    }

    /// <summary>
    /// The accumulate of a training step. On a backend with a scalar queue it is <see cref="ForwardBackwardQueued"/>:
    /// the gradient arena's Σg² comes back with the loss (one wait); elsewhere it is <see cref="Accumulate"/> and
    /// <paramref name="squares"/> is null (the step guard reduces the gradients itself).
    /// </summary>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="inputs">(batch, Inputs), validated.</param>
    /// <param name="targets">(batch, Outputs), validated.</param>
    /// <param name="batch">Rows, at most MaxBatch.</param>
    /// <param name="gradients">The whole gradient arena.</param>
    /// <param name="squares">Σg² over the gradient arena after the backward pass, when it came back with the loss.</param>
    public unsafe float AccumulateForStep(Loss loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, BufferSlice gradients, out double? squares)
    {
        squares = null;
        if (_work.Scalars is not { } queue) return Accumulate(loss, inputs, targets, batch);
        fixed (float* px = inputs)
        fixed (float* pt = targets)
        {
            BufferSlice x = _work.StageInput(px, batch * _inputs), t = _work.StageTarget(pt, batch * _outputs);
            float value = ForwardBackwardQueued((IQueuedScalarsBackend)_backend, queue, loss, x, t, batch, gradients, out double sum);
            squares = sum;
            return value;
        }
    }

    /// <summary><see cref="QueueForwardBackward"/> on the caller's rows.</summary>
    /// <param name="device">The backend, as its scalar queue.</param>
    /// <param name="queue">This brain's queue on it.</param>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="inputs">(batch, Inputs), validated.</param>
    /// <param name="targets">(batch, Outputs), validated.</param>
    /// <param name="batch">Rows, at most MaxBatch.</param>
    /// <param name="gradients">The whole gradient arena.</param>
    public unsafe void QueueAccumulate(IQueuedScalarsBackend device, ScalarQueue queue, Loss loss, ReadOnlySpan<float> inputs,
        ReadOnlySpan<float> targets, int batch, BufferSlice gradients)
    {
        fixed (float* px = inputs)
        fixed (float* pt = targets)
        {
            BufferSlice x = _work.StageInput(px, batch * _inputs), t = _work.StageTarget(pt, batch * _outputs);
            QueueForwardBackward(device, queue, loss, x, t, batch, gradients);
        }
    }

    /// <summary>Mean loss and accuracy over any number of rows, in chunks of MaxBatch; leaves no forward pass behind.</summary>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="inputs">(count, Inputs), validated.</param>
    /// <param name="targets">(count, Outputs), validated.</param>
    /// <param name="count">Rows.</param>
    public unsafe Evaluation Evaluate(Loss loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int count)
    {
        int wrong = 0;
        double lossSum = 0;
        fixed (float* px = inputs)
        fixed (float* pt = targets)
        {
            for (int start = 0; start < count; start += _maxBatch)
            {
                int rows = Math.Min(_maxBatch, count - start), n = rows * _outputs;
                BufferSlice t = _work.StageTarget(pt + (long)start * _outputs, n);
                lossSum += (double)ForwardLoss(loss, _work.StageInput(px + (long)start * _inputs, rows * _inputs), t, rows) * rows;
                wrong += Metrics.CountMisclassified(_work.Read(Output.Take(n)), targets.Slice(start * _outputs, n), rows, _outputs);
            }
        }
        _work.ForwardRows = -1;
        return new Evaluation((float)(lossSum / count), 1f - (float)wrong / count);
    }

    /// <summary>A training forward that copies the input into the workspace, so a public Backward may follow; returns the outputs.</summary>
    /// <param name="inputs">(batch, Inputs), validated.</param>
    /// <param name="batch">Rows.</param>
    public ReadOnlySpan<float> ForwardKept(ReadOnlySpan<float> inputs, int batch)
    {
        BufferSlice x = _work.Input.Take(batch * _inputs);
        _backend.Upload(x, inputs.Slice(0, batch * _inputs));
        Forward(x, batch, inputKept: true);
        return _work.Read(Output.Take(batch * _outputs));
    }

    /// <summary>After <see cref="ForwardKept"/>: backpropagates the caller's dL/dy, and writes dL/dx when asked.</summary>
    /// <param name="outputGradient">(batch, Outputs), validated.</param>
    /// <param name="batch">The forward pass's rows.</param>
    /// <param name="inputGradient">(batch, Inputs), or empty to skip.</param>
    public void BackwardKept(ReadOnlySpan<float> outputGradient, int batch, Span<float> inputGradient)
    {
        int n = batch * _outputs;
        _backend.Upload(_work.GradientA.Take(n), outputGradient.Slice(0, n));
        BufferSlice dX = inputGradient.IsEmpty ? default : _work.InputGradient.Take(batch * _inputs);
        Backward(_work.Input.Take(batch * _inputs), batch, gradientIsPreActivation: false, dX);
        if (!dX.IsEmpty) _backend.Download(inputGradient.Slice(0, batch * _inputs), dX);
    }

    /// <summary>First to last.</summary>
    public Layer[] Layers { get; }

    /// <summary>The activations and staging buffers.</summary>
    public Workspace Workspace => _work;

    /// <summary>The last layer's output slice (MaxBatch, Outputs).</summary>
    public BufferSlice Output => _work.Y[Layers.Length - 1];

    /// <summary>Training forward from x (rows, Inputs): every layer keeps z (and y) for <see cref="Backward"/>.</summary>
    /// <param name="x">The input rows (a workspace slice or a view of the caller's memory).</param>
    /// <param name="rows">Batch.</param>
    /// <param name="inputKept">Whether x is the workspace's own input slice (so a later public Backward may read it).</param>
    public void Forward(BufferSlice x, int rows, bool inputKept)
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            int width = Layers[i].Outputs;
            BufferSlice y = _work.Y[i].Take(rows * width);
            Layers[i].Forward(_backend, y, _work.Z[i].Take(rows * width), x, rows);
            x = y;
        }
        _work.ForwardRows = rows;
        _work.InputKept = inputKept;
    }

    /// <summary>Training forward, then the mean loss of the rows against <paramref name="target"/> (rows, Outputs).</summary>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="target">Target rows.</param>
    /// <param name="rows">Batch.</param>
    public float ForwardLoss(Loss loss, BufferSlice x, BufferSlice target, int rows)
    {
        Forward(x, rows, inputKept: false);
        int n = rows * _outputs, last = Layers.Length - 1;
        return _backend.LossForward(loss, _work.Y[last].Take(n), _work.Z[last].Take(n), target, rows, _outputs);
    }

    /// <summary>After <see cref="ForwardLoss"/>: the loss's gradient, backpropagated into the parameter gradients.</summary>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="x">The forward pass's input rows.</param>
    /// <param name="target">Target rows.</param>
    /// <param name="rows">Batch.</param>
    public void BackwardLoss(Loss loss, BufferSlice x, BufferSlice target, int rows)
    {
        int n = rows * _outputs, last = Layers.Length - 1;
        _backend.LossBackward(_work.GradientA.Take(n), loss, _work.Y[last].Take(n), _work.Z[last].Take(n), target, rows, _outputs);
        Backward(x, rows, loss.IsFused);
    }

    /// <summary>
    /// A whole training pass on a backend that reduces scalars on its device: forward, the loss and its gradient queued, backward
    /// (also when the loss turns out not finite: the caller then discards the gradients), the gradient arena's sum of
    /// squares queued, and one wait for both. Same calls and values as <see cref="ForwardLoss"/>, <see cref="BackwardLoss"/>
    /// and <see cref="IBackend.SumOfSquares"/> in turn.
    /// </summary>
    /// <param name="device">The backend, as its scalar queue.</param>
    /// <param name="queue">This brain's queue on it.</param>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="target">Target rows.</param>
    /// <param name="rows">Batch.</param>
    /// <param name="gradients">The whole gradient arena.</param>
    /// <param name="squares">Σ g² over <paramref name="gradients"/> after the backward pass.</param>
    /// <returns>The mean loss.</returns>
    public float ForwardBackwardQueued(IQueuedScalarsBackend device, ScalarQueue queue, Loss loss, BufferSlice x, BufferSlice target, int rows, BufferSlice gradients,
        out double squares)
    {
        QueueForwardBackward(device, queue, loss, x, target, rows, gradients);
        device.ReadQueued(queue, out float value, out squares);
        return value;
    }

    /// <summary>
    /// <see cref="ForwardBackwardQueued"/> without the wait: forward, the loss and its gradient, backward and the gradient
    /// arena's sum of squares queued; the caller may queue the optimizer step before reading both scalars.
    /// </summary>
    /// <param name="device">The backend, as its scalar queue.</param>
    /// <param name="queue">This brain's queue on it.</param>
    /// <param name="loss">The brain's loss.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="target">Target rows.</param>
    /// <param name="rows">Batch.</param>
    /// <param name="gradients">The whole gradient arena.</param>
    public void QueueForwardBackward(IQueuedScalarsBackend device, ScalarQueue queue, Loss loss, BufferSlice x, BufferSlice target, int rows, BufferSlice gradients)
    {
        Forward(x, rows, inputKept: false);
        int n = rows * _outputs, last = Layers.Length - 1;
        device.QueueLossAndGradient(queue, _work.GradientA.Take(n), loss, _work.Y[last].Take(n), _work.Z[last].Take(n), target, rows, _outputs);
        Backward(x, rows, loss.IsFused);
        device.QueueSumOfSquares(queue, gradients);
    }

    /// <summary>
    /// Backpropagates dL/dy of the last layer, which is in <see cref="Workspace.GradientA"/>; each layer writes dX for the
    /// one before into the other gradient buffer and accumulates its parameter gradients.
    /// </summary>
    /// <param name="input">The forward pass's input rows.</param>
    /// <param name="rows">Its batch.</param>
    /// <param name="gradientIsPreActivation">The gradient is already dL/dz of the last layer (a fused loss).</param>
    /// <param name="inputGradient">Where the first layer writes dL/dx (rows, Inputs); empty to skip it.</param>
    public void Backward(BufferSlice input, int rows, bool gradientIsPreActivation, BufferSlice inputGradient = default)
    {
        BufferSlice dY = _work.GradientA, spare = _work.GradientB;
        for (int i = Layers.Length - 1; i >= 0; i--)
        {
            Layer layer = Layers[i];
            int width = layer.Outputs, fanIn = layer.Inputs;
            BufferSlice x = i == 0 ? input : _work.Y[i - 1].Take(rows * fanIn);
            BufferSlice dX = i == 0 ? inputGradient : spare.Take(rows * fanIn);
            layer.Backward(_backend, dX, dY.Take(rows * width), _work.Z[i].Take(rows * width), _work.Y[i].Take(rows * width), x, rows,
                gradientIsPreActivation && i == Layers.Length - 1);
            (dY, spare) = (spare, dY);
        }
    }

    /// <summary>
    /// Inference on a chunk of at most MaxBatch rows, cut into blocks of the backend's <see cref="IHostBackend.BlockRows"/>
    /// (the whole chunk elsewhere) that each run through every layer: on the backend's pool when there is a block per
    /// thread, else in order with each product split over the pool. The blocks depend on the batch alone and a row's
    /// result not on the thread that computes it, so outputs are bitwise identical for any thread count.
    /// </summary>
    /// <param name="x">Input rows (rows, Inputs).</param>
    /// <param name="y">Output rows (rows, Outputs).</param>
    /// <param name="rows">Batch of the chunk.</param>
    public void Infer(BufferSlice x, BufferSlice y, int rows)
    {
        IHostBackend? host = _work.Host;
        (_x, _y, _rows, _blockRows) = (x, y, rows, host?.BlockRows ?? rows);
        _work.ForwardRows = -1;
        if (!_work.FusedPrepared) PrepareFused();
        if (_work.Fused is not null)
        {
            _work.Fused.Run(y, x, rows);
            return;
        }
        if (_chain is not null && !_chainPrepared) PrepareChain();
        int blocks = (rows + _blockRows - 1) / _blockRows;
        if (host is not null && host.TryRunBlocks(this, blocks, ref _warmed)) return;
        for (int block = 0; block < blocks; block++) InferBlock(_backend, block);
    }

    // The whole pass in one kernel where the backend offers it and the network fits (asked once, at the first inference).
    private void PrepareFused()
    {
        _work.FusedPrepared = true;
        if (_backend is not IFusedForwardBackend fusing) return;
        var layers = new FusedLayer[Layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            if (Layers[i] is not Dense d) return;
            layers[i] = new FusedLayer(d.Weight, d.Bias, d.Inputs, d.Outputs, d.Activation);
        }
        _work.Fused = fusing.PrepareFusedForward(layers);
    }

    // The host's one-pass chain (DenseChain) over the layers as the arena bound them (once, for good): every W and b in one array.
    private void PrepareChain()
    {
        _chainPrepared = true;
        BufferSlice first = ((Dense)Layers[0]).Weight;
        for (int i = 0; i < Layers.Length; i++)
        {
            var d = (Dense)Layers[i];
            if (d.Weight.Buffer != first.Buffer || d.Bias.Buffer != first.Buffer) return;
            _chain![i] = new DenseChainLayer(d.Weight.Offset, d.Bias.Offset, d.Inputs, d.Outputs, d.Activation);
        }
        _chainParameters = new BufferSlice(first.Buffer, 0, first.Buffer.Length);
    }

    /// <summary>One block on a worker of the pool.</summary>
    /// <param name="item">The block.</param>
    public void Execute(int item) => InferBlock(_work.Host!.Serial, item);

    // Rows [r0, r0 + n): each layer's output replaces its pre-activation in place, and the last layer writes the output
    // (straight into it when linear).
    private void InferBlock(IBackend backend, int block)
    {
        int r0 = block * _blockRows, n = Math.Min(_blockRows, _rows - r0), last = Layers.Length - 1;
        BufferSlice x = _x.Slice(r0 * _inputs, n * _inputs);
        if (!_chainParameters.IsEmpty && DenseChain.Prefers(GemmIsas.Best, _chain!, n))
        {
            // Bitwise the layer-by-layer pass below (DenseChain.Prefers admits only the blocks where it is).
            IHostBackend host = _work.Host!;
            DenseChain.Run(GemmIsas.Best, host.HostSpan(_y.Slice(r0 * _outputs, n * _outputs)), host.HostSpan(x), n, host.HostSpan(_chainParameters), _chain!);
            return;
        }
        for (int i = 0; i <= last; i++)
        {
            Layer layer = Layers[i];
            BufferSlice z = _work.Z[i].Slice(r0 * layer.Outputs, n * layer.Outputs), y = z;
            if (i == last)
            {
                y = _y.Slice(r0 * _outputs, n * _outputs);
                if (layer.OutputIsPreActivation) z = y;
            }
            layer.Forward(backend, y, z, x, n);
            x = y;
        }
    }
}
