using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Diagnostics;
using Cortex.Kernels;
using Cortex.Tensors;
using NUnit.Framework;

namespace Cortex.Tests.Backends;

/// <summary>
/// One suite for every backend: each op, forward and backward, on odd shapes, against double-precision
/// (or, for the gradient kernels, the CPU float) references. Operands sit at an offset inside larger
/// buffers with guard values around them, so slicing and bounds are tested too.
/// Tolerances: GEMM and sums |Δ| ≤ 1e-6 + 2k·2⁻²⁴·Σ|terms| (the float error bound); activations,
/// losses and optimizer steps |Δ| ≤ 1e-6 + 1e-5·|reference|.
/// </summary>
[TestFixtureSource(typeof(TestBackends), nameof(TestBackends.Fixtures))]
public sealed class BackendConformanceTests
{
    private const int Pad = 5;
    private const float Guard = 12345.5f;
    private const double Epsilon = 1.0 / (1 << 24);

    private static readonly Activation[] Activations = Catalog.ActivationsWithParameters;

    private static readonly Loss[] Losses = { Loss.MeanSquaredError, Loss.SoftmaxCrossEntropy, Loss.BinaryCrossEntropy, Loss.Hinge, Loss.Huber, Loss.HuberWithDelta(0.3f) };

    private static readonly int[][] ElementShapes = { new[] { 1, 1 }, new[] { 3, 17 }, new[] { 129, 3 }, new[] { 17, 129 }, new[] { 1000, 1 }, new[] { 2, 1000 } };

    // (m, n, k): ones, odd sizes, both GEMM kernels (tiled below 64 rows or columns, blocked above), and empty products.
    private static readonly int[][] GemmShapes =
    {
        new[] { 1, 1, 1 }, new[] { 1, 3, 17 }, new[] { 3, 17, 1 }, new[] { 17, 3, 5 }, new[] { 129, 17, 3 }, new[] { 3, 129, 129 },
        new[] { 129, 129, 17 }, new[] { 65, 130, 33 }, new[] { 1000, 3, 17 }, new[] { 1, 1000, 3 }, new[] { 7, 5, 1000 }, new[] { 129, 1000, 17 },
        new[] { 3, 4, 0 }, new[] { 0, 3, 4 },
    };

    private static readonly int[] Lengths = { 1, 3, 17, 129, 1000 };

    private readonly string _backendName;
    private readonly List<DeviceBuffer> _buffers = new();
    private IBackend _backend = null!;

    public BackendConformanceTests(string backendName) => _backendName = backendName;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.Create(_backendName);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [TearDown]
    public void FreeBuffers()
    {
        foreach (DeviceBuffer buffer in _buffers) buffer.Dispose();
        _buffers.Clear();
    }

    [Test]
    public void AllocatesZeroFilledBuffersOfAnyLength([Values(0, 1, 17, 1000)] int length)
    {
        DeviceBuffer buffer = Track(_backend.Allocate(length));
        Assert.That(buffer.Length, Is.EqualTo(length));
        Assert.That(Get(buffer.All), Is.EqualTo(new float[length]));
    }

    [Test]
    public void UploadAndDownloadRoundTripThroughSlices([ValueSource(nameof(Lengths))] int length)
    {
        float[] values = RandomValues(length, 1);
        BufferSlice slice = Put(values);
        Assert.That(Get(slice), Is.EqualTo(values));
        AssertGuards(slice);
    }

    [TestCaseSource(nameof(GemmCases))]
    public void GemmMatchesTheNaiveProduct(int m, int n, int k, bool transposeA, bool transposeB, bool accumulate)
    {
        float[] a = RandomValues(m * k, 11), b = RandomValues(k * n, 12), c0 = RandomValues(m * n, 13);
        BufferSlice sa = Put(a), sb = Put(b), sc = Put(c0);

        _backend.Gemm(sc, sa, sb, m, n, k, transposeA, transposeB, accumulate);

        float[] c = Get(sc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? c0[i * n + j] : 0, magnitude = Math.Abs(sum);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)(transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                Assert.That(c[i * n + j], Is.EqualTo(sum).Within(1e-6 + 2 * (k + 1) * Epsilon * magnitude), $"c[{i},{j}]");
            }
        }
        AssertGuards(sc);
    }

    [TestCaseSource(nameof(ActivationCases))]
    public void BiasActivationForwardMatchesTheTable(Activation activation, int rows, int columns, bool withBias)
    {
        float[] z0 = RandomValues(rows * columns, 21, -4f, 4f), bias = RandomValues(columns, 22), y0 = RandomValues(rows * columns, 23);
        BufferSlice z = Put(z0), y = Put(y0), b = withBias ? Put(bias) : default;

        _backend.BiasActivationForward(y, z, b, activation, rows, columns);

        float[] zAfter = Get(z), yAfter = Get(y);
        double[] expected = new double[rows * columns];
        for (int i = 0; i < expected.Length; i++)
        {
            float shifted = withBias ? z0[i] + bias[i % columns] : z0[i];
            Assert.That(zAfter[i], Is.EqualTo(shifted), $"z[{i}] += bias");
            expected[i] = shifted;
        }
        expected = Activate(activation, expected, rows, columns);
        for (int i = 0; i < expected.Length; i++) AssertClose(yAfter[i], expected[i], $"y[{i / columns},{i % columns}]");
        AssertGuards(z);
        AssertGuards(y);
    }

    // DenseForward is Gemm then BiasActivationForward, bit for bit (both are checked against references above); the
    // device fuses them into one GEMM launch with an epilogue, on both GEMM kernels (shapes below and above 64).
    [TestCaseSource(nameof(DenseCases))]
    public void DenseForwardIsGemmThenBiasActivationBitwise(Activation activation, int rows, int columns, int inputs, bool withBias, bool inPlace)
    {
        float[] x0 = RandomValues(rows * inputs, 91), w0 = RandomValues(columns * inputs, 92), b0 = RandomValues(columns, 93);
        float[] z0 = RandomValues(rows * columns, 94), y0 = RandomValues(rows * columns, 95);
        BufferSlice x = Put(x0), w = Put(w0), bias = withBias ? Put(b0) : default;
        BufferSlice fusedZ = Put(z0), fusedY = inPlace ? fusedZ : Put(y0), twoZ = Put(z0), twoY = inPlace ? twoZ : Put(y0);

        _backend.DenseForward(fusedY, fusedZ, x, w, bias, activation, rows, columns, inputs);
        _backend.Gemm(twoZ, x, w, rows, columns, inputs, transposeA: false, transposeB: true, accumulate: false);
        _backend.BiasActivationForward(twoY, twoZ, bias, activation, rows, columns);

        Assert.That(Bits(Get(fusedY)), Is.EqualTo(Bits(Get(twoY))), "y");
        if (!inPlace) Assert.That(Bits(Get(fusedZ)), Is.EqualTo(Bits(Get(twoZ))), "z");
        AssertGuards(fusedZ);
        AssertGuards(fusedY);
    }

    [Test]
    public void DenseForwardValidatesItsShapes()
    {
        BufferSlice x = Put(new float[6]), w = Put(new float[6]), z = Put(new float[4]), b = Put(new float[2]);
        Assert.That(() => _backend.DenseForward(z, z, x, w, b, Activation.Relu, 2, 2, 4), Throws.InstanceOf<ArgumentException>(), "x is 6, not 2·4");
        Assert.That(() => _backend.DenseForward(z, z, x, w, Put(new float[3]), Activation.Relu, 2, 2, 3), Throws.InstanceOf<ArgumentException>(), "bias is 3, not 2");
    }

    [Test]
    public void LinearForwardMayWriteInPlace([Values] bool withBias)
    {
        const int rows = 17, columns = 3;
        float[] z0 = RandomValues(rows * columns, 24), bias = RandomValues(columns, 25);
        BufferSlice z = Put(z0);
        _backend.BiasActivationForward(z, z, withBias ? Put(bias) : default, Activation.Linear, rows, columns);
        float[] after = Get(z);
        for (int i = 0; i < after.Length; i++) Assert.That(after[i], Is.EqualTo(withBias ? z0[i] + bias[i % columns] : z0[i]));
        AssertGuards(z);
    }

    [TestCaseSource(nameof(ActivationCases))]
    public void ActivationBackwardMatchesTheTable(Activation activation, int rows, int columns, bool inPlace)
    {
        int count = rows * columns;
        float[] z0 = RandomValues(count, 31, -3f, 3f), dY0 = RandomValues(count, 32);
        double[] yd = Activate(activation, Array.ConvertAll(z0, v => (double)v), rows, columns);
        float[] y0 = Array.ConvertAll(yd, v => (float)v);
        BufferSlice z = Put(z0), y = Put(y0), dY = Put(dY0), dZ = inPlace ? dY : Put(RandomValues(count, 33));

        _backend.ActivationBackward(dZ, dY, z, y, activation, rows, columns);

        float[] result = Get(dZ);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int k = 0; k < columns; k++) dot += (double)dY0[r * columns + k] * y0[r * columns + k];
            for (int k = 0; k < columns; k++)
            {
                int i = r * columns + k;
                double expected = activation.Kind == ActivationKind.Softmax
                    ? y0[i] * (dY0[i] - dot)
                    : ActivationFunctions.Derivative(activation, z0[i], y0[i]) * dY0[i];
                AssertClose(result[i], expected, $"dZ[{r},{k}]");
            }
        }
        AssertGuards(dZ);
        if (!inPlace) Assert.That(Get(dY), Is.EqualTo(dY0), "dY is read only");
    }

    [Test]
    public void ColumnSumAddsTheRows([ValueSource(nameof(ElementShapes))] int[] shape, [Values] bool accumulate)
    {
        int rows = shape[0], columns = shape[1];
        float[] x = RandomValues(rows * columns, 41), s0 = RandomValues(columns, 42);
        BufferSlice sx = Put(x), sums = Put(s0);

        _backend.ColumnSum(sums, sx, rows, columns, accumulate);

        float[] result = Get(sums);
        for (int c = 0; c < columns; c++)
        {
            double sum = accumulate ? s0[c] : 0, magnitude = Math.Abs(sum);
            for (int r = 0; r < rows; r++) { sum += x[r * columns + c]; magnitude += Math.Abs(x[r * columns + c]); }
            Assert.That(result[c], Is.EqualTo(sum).Within(1e-6 + 2 * (rows + 1) * Epsilon * magnitude), $"sums[{c}]");
        }
        AssertGuards(sums);
    }

    [TestCaseSource(nameof(LossCases))]
    public void LossForwardIsTheMeanOfTheReference(Loss loss, int rows, int columns)
    {
        (BufferSlice y, BufferSlice z, BufferSlice target, double[] input, double[] targets) = LossOperands(loss, rows, columns, seed: 51);

        float value = _backend.LossForward(loss, y, z, target, rows, columns);

        double expected = loss.Reference(input, targets, rows, columns);
        Assert.That(value, Is.EqualTo(expected).Within(1e-6 + 1e-5 * Math.Abs(expected)));
    }

    [TestCaseSource(nameof(LossCases))]
    public void LossBackwardMatchesTheCpuKernel(Loss loss, int rows, int columns)
    {
        (BufferSlice y, BufferSlice z, BufferSlice target, _, _) = LossOperands(loss, rows, columns, seed: 52);
        BufferSlice gradient = Put(RandomValues(rows * columns, 53));

        _backend.LossBackward(gradient, loss, y, z, target, rows, columns);

        float[] expected = new float[rows * columns];
        LossKernels.Backward(expected, loss, Get(y), Get(z), Get(target), rows, columns);
        float[] result = Get(gradient);
        for (int i = 0; i < expected.Length; i++) AssertClose(result[i], expected[i], $"gradient[{i / columns},{i % columns}]");
        AssertGuards(gradient);
    }

    [Test]
    public void ANonFiniteOutputGivesANonFiniteLoss([ValueSource(nameof(Losses))] Loss loss)
    {
        const int rows = 3, columns = 4;
        float[] values = RandomValues(rows * columns, 54), target = new float[rows * columns];
        GradientCheck.MakeTargets(loss, target, rows, columns, new SeededRandom(55));
        values[5] = float.NaN;
        BufferSlice x = Put(values);
        Assert.That(float.IsNaN(_backend.LossForward(loss, x, x, Put(target), rows, columns)), Is.True, "a NaN output must not vanish (the step would not be rejected)");
    }

    [Test]
    public void LossOfAnEmptyBatchIsZero()
    {
        BufferSlice x = Put(new float[3]);
        Assert.That(_backend.LossForward(Loss.MeanSquaredError, x, x, x, 0, 3), Is.EqualTo(0f));
    }

    [Test]
    public void SumOfSquaresIsAccurate([Values(0, 1, 3, 17, 129, 1000, 100_001)] int length)
    {
        float[] x = RandomValues(length, 61);
        double expected = 0;
        foreach (float v in x) expected += (double)v * v;
        Assert.That(_backend.SumOfSquares(Put(x)), Is.EqualTo(expected).Within(1e-9 + 1e-6 * expected));
    }

    [TestCaseSource(nameof(OptimizerCases))]
    public void OptimizerStepMatchesTheCpuKernelsAndClearsGradients(Optimizer optimizer, int length, float gradientScale)
    {
        float[] theta = RandomValues(length, 71), m1 = new float[length], m2 = new float[length];
        BufferSlice parameters = Put(theta), gradients = Put(new float[length]);
        BufferSlice moment1 = optimizer.MomentCount >= 1 ? Put(m1) : default, moment2 = optimizer.MomentCount >= 2 ? Put(m2) : default;
        for (int step = 1; step <= 3; step++)
        {
            float[] g = RandomValues(length, 72 + (ulong)step);
            _backend.Upload(gradients, g);
            _backend.OptimizerStep(optimizer, parameters, gradients, moment1, moment2, step, gradientScale);
            switch (optimizer.Kind)
            {
                case OptimizerKind.GradientDescent:
                    OptimizerKernels.GradientDescent(theta, g, optimizer.LearningRate, optimizer.WeightDecay, gradientScale);
                    break;
                case OptimizerKind.Momentum:
                    OptimizerKernels.Momentum(theta, m1, g, optimizer.LearningRate, optimizer.Momentum, optimizer.Nesterov, optimizer.WeightDecay, gradientScale);
                    break;
                default:
                    OptimizerKernels.Adam(theta, m1, m2, g, optimizer.LearningRate, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon,
                        optimizer.WeightDecay, step, gradientScale);
                    break;
            }
            Assert.That(Get(gradients), Is.EqualTo(new float[length]), $"step {step} clears the gradients");
        }
        AssertAllClose(Get(parameters), theta, "parameters");
        if (optimizer.MomentCount >= 1) AssertAllClose(Get(moment1), m1, "moment1");
        if (optimizer.MomentCount >= 2) AssertAllClose(Get(moment2), m2, "moment2");
        AssertGuards(parameters);
    }

    [Test]
    public void FillSetsTheSliceOnly([ValueSource(nameof(Lengths))] int length)
    {
        BufferSlice x = Put(RandomValues(length, 81));
        _backend.Fill(x, -2.5f);
        Assert.That(Get(x), Is.All.EqualTo(-2.5f));
        AssertGuards(x);
    }

    [Test]
    public void CopyMovesValuesBetweenBuffers([ValueSource(nameof(Lengths))] int length)
    {
        float[] values = RandomValues(length, 82);
        BufferSlice source = Put(values), destination = Put(new float[length]);
        _backend.Copy(destination, source);
        Assert.That(Get(destination), Is.EqualTo(values));
        AssertGuards(destination);
    }

    [Test]
    public void CopyWithinOneBufferBehavesLikeMemmove([Values(-7, -1, 1, 7)] int shift)
    {
        float[] values = new float[40];
        for (int i = 0; i < values.Length; i++) values[i] = i;
        BufferSlice all = Put(values);
        int from = 10, to = 10 + shift;
        _backend.Copy(all.Slice(to, 20), all.Slice(from, 20));
        float[] expected = (float[])values.Clone();
        Array.Copy(values, from, expected, to, 20);
        Assert.That(Get(all), Is.EqualTo(expected));
    }

    [Test]
    public void LerpMovesTowardsTheSource([ValueSource(nameof(Lengths))] int length)
    {
        float[] d = RandomValues(length, 83), s = RandomValues(length, 84);
        BufferSlice destination = Put(d), source = Put(s);
        _backend.Lerp(destination, source, 0.25f);
        ReductionKernels.Lerp(d, s, 0.25f);
        AssertAllClose(Get(destination), d, "lerp");
        AssertGuards(destination);
        Assert.Throws<ArgumentOutOfRangeException>(() => _backend.Lerp(destination, source, 1.5f));
    }

    private static readonly int[][] GruShapes = { new[] { 1, 1 }, new[] { 3, 17 }, new[] { 129, 3 }, new[] { 2, 300 } };

    [Test]
    public void GruGatesForwardMatchesTheDoubleReference([ValueSource(nameof(GruShapes))] int[] shape)
    {
        int rows = shape[0], hidden = shape[1], w = 3 * hidden;
        float[] gx = RandomValues(rows * w, 91, -3f, 3f), gh = RandomValues(rows * w, 92, -3f, 3f), h = RandomValues(rows * hidden, 93);
        BufferSlice hNext = Put(new float[rows * hidden]), gates = Put(new float[rows * w]);
        _backend.GruGatesForward(hNext, gates, Put(gx), Put(gh), Put(h), rows, hidden);
        double[] expectedH = new double[rows * hidden], expectedGates = new double[rows * w];
        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * w;
                double u = 1 / (1 + Math.Exp(-((double)gx[g + j] + gh[g + j])));
                double r = 1 / (1 + Math.Exp(-((double)gx[g + hidden + j] + gh[g + hidden + j])));
                double n = Math.Tanh(gx[g + 2 * hidden + j] + r * gh[g + 2 * hidden + j]);
                expectedGates[g + j] = u;
                expectedGates[g + hidden + j] = r;
                expectedGates[g + 2 * hidden + j] = n;
                expectedH[b * hidden + j] = (1 - u) * n + u * h[b * hidden + j];
            }
        }
        AssertAllClose(Get(hNext), ToSingle(expectedH), "h'");
        AssertAllClose(Get(gates), ToSingle(expectedGates), "gates");
        AssertGuards(hNext);
        AssertGuards(gates);

        // In place: h' over h, as the agents' state buffer is updated.
        BufferSlice state = Put(h);
        _backend.GruGatesForward(state, gates, Put(gx), Put(gh), state, rows, hidden);
        AssertAllClose(Get(state), ToSingle(expectedH), "h' in place");
    }

    [Test]
    public void GruGatesBackwardMatchesTheDoubleReference([ValueSource(nameof(GruShapes))] int[] shape)
    {
        int rows = shape[0], hidden = shape[1], w = 3 * hidden;
        float[] gates = RandomValues(rows * w, 94, 0.05f, 0.95f), gh = RandomValues(rows * w, 95, -2f, 2f), h = RandomValues(rows * hidden, 96);
        float[] dHNext = RandomValues(rows * hidden, 97), dH0 = RandomValues(rows * hidden, 98);
        BufferSlice dGx = Put(new float[rows * w]), dGh = Put(new float[rows * w]), dH = Put(dH0);
        _backend.GruGatesBackward(dGx, dGh, dH, Put(dHNext), Put(gates), Put(gh), Put(h), rows, hidden);
        double[] eGx = new double[rows * w], eGh = new double[rows * w], eH = new double[rows * hidden];
        for (int b = 0; b < rows; b++)
        {
            for (int j = 0; j < hidden; j++)
            {
                int g = b * w, s = b * hidden + j;
                double u = gates[g + j], r = gates[g + hidden + j], n = gates[g + 2 * hidden + j], d = dHNext[s];
                double an = d * (1 - u) * (1 - n * n);
                double ar = an * gh[g + 2 * hidden + j] * r * (1 - r);
                double au = d * (h[s] - n) * u * (1 - u);
                eGx[g + j] = eGh[g + j] = au;
                eGx[g + hidden + j] = eGh[g + hidden + j] = ar;
                eGx[g + 2 * hidden + j] = an;
                eGh[g + 2 * hidden + j] = an * r;
                eH[s] = dH0[s] + d * u;
            }
        }
        AssertAllClose(Get(dGx), ToSingle(eGx), "dgx");
        AssertAllClose(Get(dGh), ToSingle(eGh), "dgh");
        AssertAllClose(Get(dH), ToSingle(eH), "dh");
        AssertGuards(dGx);
        AssertGuards(dGh);
        AssertGuards(dH);
    }

    [Test]
    public void GruGatesRejectShortOperandsNamingTheParameter()
    {
        BufferSlice three = Put(new float[3]), nine = Put(new float[9]), eight = Put(new float[8]);
        Assert.Multiple(() =>
        {
            Assert.That(() => _backend.GruGatesForward(three, nine, eight, nine, three, 1, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("gx"));
            Assert.That(() => _backend.GruGatesForward(three, nine, nine, nine, Put(new float[2]), 1, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("h"));
            Assert.That(() => _backend.GruGatesBackward(nine, eight, three, three, nine, nine, three, 1, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("dGh"));
            Assert.That(() => _backend.GruGatesBackward(nine, nine, three, Put(new float[2]), nine, nine, three, 1, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("dHNext"));
        });
    }

    private static float[] ToSingle(double[] values) => Array.ConvertAll(values, v => (float)v);

    [Test]
    public void SynchronizeReturnsAfterQueuedWork()
    {
        BufferSlice x = Put(new float[1000]);
        _backend.Fill(x, 3f);
        _backend.Synchronize();
        Assert.That(Get(x), Is.All.EqualTo(3f));
    }

    [Test]
    public void MismatchedOrShortOperandsThrowNamingTheParameter()
    {
        BufferSlice four = Put(new float[4]), six = Put(new float[6]);
        Assert.Multiple(() =>
        {
            Assert.That(() => _backend.Upload(four, new float[3]), Throws.ArgumentException.With.Property("ParamName").EqualTo("source"));
            Assert.That(() => _backend.Download(new float[5], four), Throws.ArgumentException.With.Property("ParamName").EqualTo("destination"));
            Assert.That(() => _backend.Copy(four, six), Throws.ArgumentException);
            Assert.That(() => _backend.Gemm(six, four, six, 2, 3, 3, false, false, false), Throws.ArgumentException.With.Property("ParamName").EqualTo("a"));
            Assert.That(() => _backend.Gemm(four, four, six, 2, 3, 2, false, false, false), Throws.ArgumentException.With.Property("ParamName").EqualTo("c"));
            Assert.That(() => _backend.Gemm(six, six, six, -1, 3, 3, false, false, false), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => _backend.BiasActivationForward(six, six, four, Activation.Tanh, 2, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("bias"));
            Assert.That(() => _backend.BiasActivationForward(four, six, default, Activation.Tanh, 2, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("y"));
            Assert.That(() => _backend.ActivationBackward(six, four, six, six, Activation.Tanh, 2, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("dY"));
            Assert.That(() => _backend.ColumnSum(four.Take(2), six, 2, 3, false), Throws.ArgumentException.With.Property("ParamName").EqualTo("sums"));
            Assert.That(() => _backend.LossForward(Loss.MeanSquaredError, six, six, four, 2, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("target"));
            Assert.That(() => _backend.LossForward(Loss.MeanSquaredError, six, six, six, 2, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => _backend.LossBackward(four, Loss.MeanSquaredError, six, six, six, 2, 3), Throws.ArgumentException.With.Property("ParamName").EqualTo("gradient"));
            Assert.That(() => _backend.OptimizerStep(Optimizer.GradientDescent(0.1f), six, four, default, default, 1, 1f), Throws.ArgumentException.With.Property("ParamName").EqualTo("gradients"));
            Assert.That(() => _backend.OptimizerStep(Optimizer.Adam(), four, four, four, six, 1, 1f), Throws.ArgumentException.With.Property("ParamName").EqualTo("moment2"));
            Assert.That(() => _backend.OptimizerStep(Optimizer.Adam(), four, four, four, four, 0, 1f), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => _backend.Lerp(four, six, 0.5f), Throws.ArgumentException);
        });
    }

    [Test]
    public void SlicesOfAnotherKindOfBufferAreRejected()
    {
        using var foreign = new ForeignBuffer(6);
        BufferSlice mine = Put(new float[6]);
        Assert.Multiple(() =>
        {
            Assert.That(() => _backend.Upload(foreign.All, new float[6]), Throws.ArgumentException);
            Assert.That(() => _backend.Copy(mine, foreign.All), Throws.ArgumentException);
            Assert.That(() => _backend.Fill(foreign.All, 1f), Throws.ArgumentException);
            Assert.That(() => _backend.SumOfSquares(foreign.All), Throws.ArgumentException);
        });
    }

    public static IEnumerable<TestCaseData> GemmCases()
    {
        foreach (int[] s in GemmShapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    foreach (bool acc in new[] { false, true })
                    {
                        yield return new TestCaseData(s[0], s[1], s[2], ta, tb, acc);
                    }
                }
            }
        }
    }

    public static IEnumerable<TestCaseData> ActivationCases()
    {
        foreach (Activation a in Activations)
        {
            foreach (int[] s in ElementShapes)
            {
                yield return new TestCaseData(a, s[0], s[1], false);
                yield return new TestCaseData(a, s[0], s[1], true);
            }
        }
    }

    public static IEnumerable<TestCaseData> DenseCases()
    {
        int[][] shapes = { new[] { 1, 8, 32 }, new[] { 17, 3, 5 }, new[] { 129, 65, 33 }, new[] { 3, 1, 1 } };   // (rows, columns, inputs)
        foreach (Activation a in Activations)
        {
            foreach (int[] s in shapes)
            {
                yield return new TestCaseData(a, s[0], s[1], s[2], true, false);
                yield return new TestCaseData(a, s[0], s[1], s[2], false, s[0] == 17);
            }
        }
    }

    public static IEnumerable<TestCaseData> LossCases()
    {
        foreach (Loss loss in Losses)
        {
            foreach (int[] s in new[] { new[] { 1, 1 }, new[] { 1, 2 }, new[] { 3, 17 }, new[] { 129, 3 }, new[] { 1000, 1 }, new[] { 17, 129 } })
            {
                if (loss.Kind == LossKind.SoftmaxCrossEntropy && s[1] < 2) continue;
                yield return new TestCaseData(loss, s[0], s[1]);
            }
        }
    }

    public static IEnumerable<TestCaseData> OptimizerCases()
    {
        var optimizers = new (string Name, Optimizer Value)[]
        {
            ("sgd", Optimizer.GradientDescent(0.1f)),
            ("sgd+decay", Optimizer.GradientDescent(0.1f).WithWeightDecay(0.01f)),
            ("momentum", Optimizer.WithMomentum(0.05f, 0.9f)),
            ("nesterov+decay", Optimizer.WithMomentum(0.05f, 0.8f, nesterov: true).WithWeightDecay(0.02f)),
            ("adam", Optimizer.Adam(0.01f)),
            ("adamw", Optimizer.Adam(0.01f, 0.8f, 0.99f, 1e-6f).WithWeightDecay(0.01f)),
        };
        foreach ((string name, Optimizer o) in optimizers)
        {
            foreach (int length in new[] { 1, 17, 1000 })
            {
                yield return new TestCaseData(o, length, 1f).SetArgDisplayNames(name, length.ToString(), "scale 1");
                yield return new TestCaseData(o, length, 0.5f).SetArgDisplayNames(name, length.ToString(), "scale 0.5");
            }
        }
    }

    // y (the output layer's activation of z), z and valid targets on the backend; the reference's input (z for fused losses, else y) and targets in double.
    private (BufferSlice Y, BufferSlice Z, BufferSlice Target, double[] Input, double[] Targets) LossOperands(Loss loss, int rows, int columns, ulong seed)
    {
        int count = rows * columns;
        var random = new SeededRandom(seed);
        float[] z = new float[count], target = new float[count];
        for (int i = 0; i < count; i++) z[i] = random.NextFloat(-3f, 3f);
        GradientCheck.MakeTargets(loss, target, rows, columns, random);
        Activation output = loss.Kind switch
        {
            LossKind.SoftmaxCrossEntropy => Activation.Softmax,
            LossKind.BinaryCrossEntropy => Activation.Sigmoid,
            _ => Activation.Linear,
        };
        float[] y = Array.ConvertAll(Activate(output, Array.ConvertAll(z, v => (double)v), rows, columns), v => (float)v);
        double[] input = Array.ConvertAll(loss.IsFused ? z : y, v => (double)v);
        return (Put(y), Put(z), Put(target), input, Array.ConvertAll(target, v => (double)v));
    }

    private static double[] Activate(Activation activation, double[] z, int rows, int columns)
    {
        double[] y = new double[z.Length];
        if (activation.Kind == ActivationKind.Softmax)
        {
            for (int r = 0; r < rows; r++) ActivationFunctions.Softmax.Row(y.AsSpan(r * columns, columns), z.AsSpan(r * columns, columns));
        }
        else
        {
            for (int i = 0; i < z.Length; i++) y[i] = ActivationFunctions.Forward(activation, z[i]);
        }
        return y;
    }

    private static void AssertClose(float actual, double expected, string what) =>
        Assert.That(actual, Is.EqualTo(expected).Within(1e-6 + 1e-5 * Math.Abs(expected)), what);

    private static void AssertAllClose(float[] actual, float[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++) AssertClose(actual[i], expected[i], $"{what}[{i}]");
    }

    private static float[] RandomValues(int length, ulong seed, float low = -1f, float high = 1f)
    {
        var random = new SeededRandom(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextFloat(low, high);
        return values;
    }

    private DeviceBuffer Track(DeviceBuffer buffer)
    {
        _buffers.Add(buffer);
        return buffer;
    }

    // The values at offset Pad of a new buffer, with guard values on both sides.
    private BufferSlice Put(float[] values)
    {
        DeviceBuffer buffer = Track(_backend.Allocate(values.Length + 2 * Pad));
        float[] host = new float[buffer.Length];
        Array.Fill(host, Guard);
        values.CopyTo(host, Pad);
        _backend.Upload(buffer.All, host);
        return buffer.Slice(Pad, values.Length);
    }

    private float[] Get(BufferSlice slice)
    {
        float[] host = new float[slice.Length];
        _backend.Download(host, slice);
        return host;
    }

    private void AssertGuards(BufferSlice slice)
    {
        float[] all = Get(slice.Buffer.All);
        for (int i = 0; i < all.Length; i++)
        {
            if (i >= slice.Offset && i < slice.Offset + slice.Length) continue;
            Assert.That(all[i], Is.EqualTo(Guard), $"guard at {i} outside the slice {slice}");
        }
    }

    private sealed class ForeignBuffer : DeviceBuffer
    {
        public ForeignBuffer(int length) : base(length)
        {
        }
    }

    private static int[] Bits(float[] values)
    {
        int[] bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }
}
