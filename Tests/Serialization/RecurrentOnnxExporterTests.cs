using System;
using System.Linq;
using Cortex.Serialization;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace Cortex.Tests.Serialization;

/// <summary>Recurrent brains exported as ONNX GRU / RNN run in ONNX Runtime and agree with Cortex within 1e-5 over sequences.</summary>
[TestFixture]
public sealed class RecurrentOnnxExporterTests
{
    private const int In = 5, Hidden = 7, Out = 3;

    [Test]
    public void OnnxRuntimeAgreesWithCortexOverSequences([Values(true, false)] bool gru, [Values(1, 4, 17)] int steps)
    {
        BrainBuilder start = Brain.Create(In);
        using RecurrentBrain brain = (gru ? start.Gru(Hidden) : start.Rnn(Hidden)).Dense(6, Activation.Tanh).Dense(Out, Activation.Softmax)
            .MaxAgents(16).MaxSequence(17).Build(31);
        // Non-zero biases (a fresh layer's are 0), so every ONNX bias input is exercised.
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        var random = new SeededRandom(8);
        for (int i = 0; i < theta.Length; i++) theta[i] += random.NextFloat(-0.3f, 0.3f);
        brain.LoadParameters(theta);

        byte[] model = RecurrentOnnxExporter.Export(brain);
        using var session = new InferenceSession(model);
        foreach (int batch in new[] { 1, 9 })
        {
            float[] x = new float[steps * batch * In], h0 = new float[batch * Hidden];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-2f, 2f);
            for (int i = 0; i < h0.Length; i++) h0[i] = random.NextFloat(-0.5f, 0.5f);

            float[] state = (float[])h0.Clone(), expected = new float[steps * batch * Out];
            for (int t = 0; t < steps; t++)
            {
                brain.Think(x.AsSpan(t * batch * In, batch * In), state, expected.AsSpan(t * batch * Out, batch * Out), batch);
            }

            using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, new long[] { steps, batch, In });
            using OrtValue initial = OrtValue.CreateTensorValueFromMemory(h0, new long[] { 1, batch, Hidden });
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, new[] { "input", RecurrentOnnxExporter.InitialStateName },
                new[] { input, initial }, new[] { "output", RecurrentOnnxExporter.FinalStateName });
            float[] actual = outputs[0].GetTensorDataAsSpan<float>().ToArray(), final = outputs[1].GetTensorDataAsSpan<float>().ToArray();
            Assert.That(outputs[0].GetTensorTypeAndShape().Shape, Is.EqualTo(new long[] { steps, batch, Out }));
            Assert.That(actual, Is.EqualTo(expected).Within(1e-5f), $"outputs, batch {batch}");
            Assert.That(final, Is.EqualTo(state).Within(1e-5f), $"final state, batch {batch}");
        }
    }

    [Test]
    public void TheModelUsesTheStandardRecurrentOperators([Values(true, false)] bool gru)
    {
        BrainBuilder start = Brain.Create(2);
        using RecurrentBrain brain = (gru ? start.Gru(3) : start.Rnn(3)).Dense(1, Activation.Linear).Build(1);
        string text = new string(RecurrentOnnxExporter.Export(brain).Select(b => b is >= 32 and < 127 ? (char)b : ' ').ToArray());
        Assert.That(text, Does.Contain(gru ? "GRU" : "RNN"));
        if (gru) Assert.That(text, Does.Contain("linear_before_reset"));
    }
}
