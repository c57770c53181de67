using BenchmarkDotNet.Attributes;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Benchmarks;

/// <summary>One dense layer (256 → 256, tanh) forward and backward through <see cref="CpuBackend"/>, on 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class DenseBenchmarks
{
    private const int Inputs = 256, Outputs = 256;
    private CpuBackend? _backend;
    private Dense? _layer;
    private DeviceBuffer? _parameters, _gradients, _x, _z, _y, _dY, _dX;

    [Params(64, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = new CpuBackend(Threads);
        _layer = new Dense(Inputs, Outputs, Activation.Tanh);
        _parameters = _backend.Allocate(_layer.ParameterCount);
        _gradients = _backend.Allocate(_layer.ParameterCount);
        _layer.Bind(_parameters.All, _gradients.All);
        _backend.Upload(_parameters.All, Quick.Models.Uniform(_layer.ParameterCount, 1, -0.1f, 0.1f));
        _x = Upload(Quick.Models.Uniform(Batch * Inputs, 2));
        _z = _backend.Allocate(Batch * Outputs);
        _y = _backend.Allocate(Batch * Outputs);
        _dY = Upload(Quick.Models.Uniform(Batch * Outputs, 3));
        _dX = _backend.Allocate(Batch * Inputs);
    }

    [GlobalCleanup]
    public void Cleanup() => _backend?.Dispose();

    /// <summary>z = x·Wᵀ + b, y = tanh(z).</summary>
    [Benchmark]
    public void Forward() => _layer!.Forward(_backend!, _y!.All, _z!.All, _x!.All, Batch);

    /// <summary>dZ = (1 − y²) ⊙ dY, db += Σ dZ, dW += dZᵀ·x, dX = dZ·W (dY is overwritten with dZ each time; the values stay finite).</summary>
    [Benchmark]
    public void Backward() => _layer!.Backward(_backend!, _dX!.All, _dY!.All, _z!.All, _y!.All, _x!.All, Batch);

    private DeviceBuffer Upload(float[] values)
    {
        DeviceBuffer buffer = _backend!.Allocate(values.Length);
        _backend.Upload(buffer.All, values);
        return buffer;
    }
}
