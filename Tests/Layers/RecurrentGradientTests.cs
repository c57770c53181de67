using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Backends;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.Layers;

/// <summary>
/// Three-way checks of the recurrent layers' hand-written backpropagation through time: the layer's BackwardSequence
/// (float, on each backend) against the autodiff engine's reverse and forward modes on the same cell unrolled over
/// time from the engine's primitives, and central finite differences of that graph. Loss L = Σ_t Σ C_t ⊙ h_{t+1}
/// (random C), so dL/dh_{t+1} = C_t from the outputs; every parameter, every input x_t and h₀ are checked.
/// </summary>
[TestFixtureSource(typeof(TestBackends), nameof(TestBackends.Fixtures))]
public sealed class RecurrentGradientTests
{
    private const int Batch = 2, In = 3, Hidden = 4;

    private readonly string _backendName;
    private IBackend _backend = null!;

    public RecurrentGradientTests(string backendName) => _backendName = backendName;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.Create(_backendName);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void GruBackwardThroughTimeMatchesAutodiffAndFiniteDifferences([Values(1, 3, 17)] int steps)
    {
        GradientCheckReport report = Check(new Gru(In, Hidden), steps, TruncatedBptt.Full, 1);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void ElmanBackwardThroughTimeMatchesAutodiffAndFiniteDifferences([Values(1, 3, 17)] int steps)
    {
        GradientCheckReport report = Check(new ElmanRnn(In, Hidden), steps, TruncatedBptt.Full, 2);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    // Truncation cuts the graph (the engine sees the cut states as constants), so the reference is the engine's
    // gradient of the truncated graph; finite differences see the whole function and are not expected to agree.
    [TestCase(3, 0)]
    [TestCase(5, 4)]
    [TestCase(0, 6)]
    public void TruncatedGruMatchesTheEngineOnTheCutGraph(int window, int burnIn)
    {
        GradientCheckReport report = Check(new Gru(In, Hidden), 17, new TruncatedBptt(window, burnIn), 3);
        Assert.That(report.AgainstReverse.Passed && report.AgainstForward.Passed, Is.True, report.ToString());
    }

    [TestCase(3, 0)]
    [TestCase(5, 4)]
    public void TruncatedElmanMatchesTheEngineOnTheCutGraph(int window, int burnIn)
    {
        GradientCheckReport report = Check(new ElmanRnn(In, Hidden), 17, new TruncatedBptt(window, burnIn), 4);
        Assert.That(report.AgainstReverse.Passed && report.AgainstForward.Passed, Is.True, report.ToString());
    }

    [Test]
    public void TruncationDropsGradientThatFullBackpropagationKeeps()
    {
        GradientCheckReport full = Check(new Gru(In, Hidden), 17, TruncatedBptt.Full, 5);
        GradientCheckReport cut = Check(new Gru(In, Hidden), 17, new TruncatedBptt(3), 5);
        double difference = 0;
        for (int i = 0; i < full.HandWritten.Count; i++) difference += Math.Abs(full.HandWritten[i] - cut.HandWritten[i]);
        Assert.That(difference, Is.GreaterThan(1e-3));
    }

    private GradientCheckReport Check(RecurrentLayer layer, int steps, TruncatedBptt truncation, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] theta = new float[layer.ParameterCount];
        layer.Initialize(theta, random);
        for (int i = 0; i < theta.Length; i++) theta[i] += random.NextFloat(-0.3f, 0.3f);   // non-zero biases too
        float[] h0 = Values(Batch * Hidden, random), x = Values(steps * Batch * In, random), c = Values(steps * Batch * Hidden, random);
        (float[] dTheta, float[] dX, float[] dH0) = HandWritten(layer, theta, h0, x, c, steps, truncation);

        var inputs = new List<Matrix>();
        var handWritten = new List<Matrix>();
        int[] blocks = layer is Gru ? new[] { 3 * Hidden * In, 3 * Hidden * Hidden, 3 * Hidden, 3 * Hidden } : new[] { Hidden * In, Hidden * Hidden, Hidden };
        int[] cols = layer is Gru ? new[] { In, Hidden, Hidden, Hidden } : new[] { In, Hidden, Hidden };
        int gates = layer is Gru ? 3 : 1, offset = 0;
        for (int b = 0; b < blocks.Length; b++)
        {
            int per = blocks[b] / gates;
            for (int k = 0; k < gates; k++, offset += per)
            {
                inputs.Add(Matrix.FromSingle(theta.AsSpan(offset, per), per / cols[b], cols[b]));
                handWritten.Add(Matrix.FromSingle(dTheta.AsSpan(offset, per), per / cols[b], cols[b]));
            }
        }
        int parameterInputs = inputs.Count;
        inputs.Add(Matrix.FromSingle(h0, Batch, Hidden));
        handWritten.Add(Matrix.FromSingle(dH0, Batch, Hidden));
        for (int t = 0; t < steps; t++)
        {
            inputs.Add(Matrix.FromSingle(x.AsSpan(t * Batch * In, Batch * In), Batch, In));
            handWritten.Add(Matrix.FromSingle(dX.AsSpan(t * Batch * In, Batch * In), Batch, In));
        }
        var targets = new Matrix[steps];
        for (int t = 0; t < steps; t++) targets[t] = Matrix.FromSingle(c.AsSpan(t * Batch * Hidden, Batch * Hidden), Batch, Hidden);

        Func<Graph, Node[], Node> loss = (g, p) =>
        {
            Node h = p[parameterInputs];
            Node? total = null;
            int burnIn = Math.Min(truncation.BurnIn, steps);
            for (int t = 0; t < steps; t++)
            {
                bool cut = t >= burnIn && (truncation.Window > 0 && (t - burnIn) % truncation.Window == 0 || t == burnIn && burnIn > 0);
                if (cut) h = g.Constant(h.Values());
                Node xt = p[parameterInputs + 1 + t];
                h = UnrolledCells.Cell(layer is Gru, g, p, 0, h, xt);
                if (t < burnIn) continue;
                Node term = g.Sum(g.Mul(g.Constant(targets[t]), h));
                total = total is null ? term : g.Add(total, term);
            }
            return total ?? g.Sum(g.Mul(g.Constant(0.0), h));
        };
        return GradientCheck.Function(loss, inputs, handWritten);
    }

    private (float[] DTheta, float[] DX, float[] DH0) HandWritten(RecurrentLayer layer, float[] theta, float[] h0, float[] x, float[] c, int steps,
        TruncatedBptt truncation)
    {
        int hs = Batch * Hidden;
        using DeviceBuffer parameters = _backend.Allocate(theta.Length), gradients = _backend.Allocate(theta.Length);
        using DeviceBuffer states = _backend.Allocate((steps + 1) * hs), dStates = _backend.Allocate((steps + 1) * hs);
        using DeviceBuffer xs = _backend.Allocate(x.Length), dXs = _backend.Allocate(x.Length);
        using DeviceBuffer cache = _backend.Allocate(steps * Batch * layer.CacheWidth), scratch = _backend.Allocate(Batch * (layer.ScratchWidth + Hidden));
        layer.Bind(parameters.All, gradients.All);
        _backend.Upload(parameters.All, theta);
        _backend.Upload(states.Slice(0, hs), h0);
        _backend.Upload(xs.All, x);
        layer.ForwardSequence(_backend, states.All, xs.All, cache.All, scratch.All, Batch, steps);
        _backend.Upload(dStates.Slice(hs, steps * hs), c);
        layer.BackwardSequence(_backend, dXs.All, dStates.All, states.All, xs.All, cache.All, scratch.All, Batch, steps, truncation);
        float[] dTheta = new float[theta.Length], dX = new float[x.Length], dH0 = new float[hs];
        _backend.Download(dTheta, gradients.All);
        _backend.Download(dX, dXs.All);
        _backend.Download(dH0, dStates.Slice(0, hs));
        return (dTheta, dX, dH0);
    }

    private static float[] Values(int length, SeededRandom random)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextFloat(-1f, 1f);
        return values;
    }
}
