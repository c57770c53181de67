using System;
using System.Collections.Generic;
using System.IO;
using Cortex.Layers;
using Cortex.Serialization.Onnx;

namespace Cortex.Serialization;

/// <summary>
/// Exports a <see cref="RecurrentBrain"/> to ONNX (opset 13) with the standard recurrent operators: <c>GRU</c> with
/// <c>linear_before_reset = 1</c> (the formulation <see cref="Gru"/> computes) or <c>RNN</c> (tanh), then the dense
/// layers as MatMul + Add + activation over the time-major sequence. Inputs: <c>input</c> (seq, batch, In) and
/// <c>initial_state</c> (1, batch, H); outputs: <c>output</c> (seq, batch, Out) and <c>state</c> (1, batch, H), the
/// hidden state after the last step (feed it back as the next call's initial state to think step by step).
/// </summary>
public static class RecurrentOnnxExporter
{
    private const int Int64Type = 7;                 // TensorProto.DataType.INT64

    /// <summary>Name of the initial-state input.</summary>
    public const string InitialStateName = "initial_state";

    /// <summary>Name of the final-state output.</summary>
    public const string FinalStateName = "state";

    /// <summary>The ONNX model as bytes.</summary>
    /// <param name="brain">The brain to export.</param>
    /// <param name="options">Input/output names and the batch dimension's name; null for the defaults.</param>
    public static byte[] Export(RecurrentBrain brain, OnnxExportOptions? options = null)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        options ??= new OnnxExportOptions();
        OnnxExporter.CheckName(options.InputName, nameof(options.InputName));
        OnnxExporter.CheckName(options.OutputName, nameof(options.OutputName));
        OnnxExporter.CheckName(options.BatchDimension, nameof(options.BatchDimension));
        if (options.InputName == options.OutputName) throw new ArgumentException("InputName and OutputName must differ.", nameof(options));

        float[] parameters = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        RecurrentLayer core = brain.Core;
        int h = core.Hidden, inputs = core.Inputs, gates = brain.Kind == RecurrentKind.Gru ? 3 : 1;
        var graph = new ProtoWriter();
        var initializers = new List<ProtoWriter>();

        // W (1, gH, In), R (1, gH, H), B (1, 2gH) = [W_b | R_b]: the arena order of both layers (ONNX gate order z, r, h = u, r, n).
        int w = gates * h * inputs, r = gates * h * h;
        initializers.Add(OnnxExporter.Tensor("rnn.W", new long[] { 1, gates * h, inputs }, parameters.AsSpan(0, w)));
        initializers.Add(OnnxExporter.Tensor("rnn.R", new long[] { 1, gates * h, h }, parameters.AsSpan(w, r)));
        float[] bias = new float[2 * gates * h];
        parameters.AsSpan(w + r, brain.Kind == RecurrentKind.Gru ? 2 * gates * h : h).CopyTo(bias);   // Elman: R_b = 0
        initializers.Add(OnnxExporter.Tensor("rnn.B", new long[] { 1, 2 * gates * h }, bias));
        var node = new ProtoWriter();
        foreach (string input in new[] { options.InputName, "rnn.W", "rnn.R", "rnn.B", "", InitialStateName }) node.String(1, input);
        node.String(2, "rnn.Y").String(2, FinalStateName).String(3, "rnn").String(4, brain.Kind == RecurrentKind.Gru ? "GRU" : "RNN");
        node.Message(5, OnnxExporter.Attribute("hidden_size", (long)h));
        if (brain.Kind == RecurrentKind.Gru) node.Message(5, OnnxExporter.Attribute("linear_before_reset", 1L));
        graph.Message(1, node);
        // Y (seq, 1, batch, H) → (seq, batch, H)
        initializers.Add(new ProtoWriter().PackedInt64(1, new long[] { 1 }).Int64(2, Int64Type).String(8, "axes1").PackedInt64(7, new long[] { 1 }));
        graph.Message(1, OnnxExporter.Node("rnn.squeeze", "Squeeze", new[] { "rnn.Y", "axes1" }, "rnn.h"));

        string x = "rnn.h";
        int offset = core.ParameterCount, fanIn = h, last = brain.Head.Count - 1;
        bool needsZero = false;
        for (int i = 0; i <= last; i++)
        {
            Dense layer = brain.Head[i];
            int outputs = layer.Outputs;
            string prefix = $"layer{i}", wt = prefix + ".weightT", b = prefix + ".bias";
            float[] transposed = new float[fanIn * outputs];   // Wᵀ (In, Out) for MatMul over (seq, batch, In)
            for (int o = 0; o < outputs; o++)
            {
                for (int k = 0; k < fanIn; k++) transposed[k * outputs + o] = parameters[offset + o * fanIn + k];
            }
            initializers.Add(OnnxExporter.Tensor(wt, new long[] { fanIn, outputs }, transposed));
            initializers.Add(OnnxExporter.Tensor(b, new long[] { outputs }, parameters.AsSpan(offset + outputs * fanIn, outputs)));
            offset += layer.ParameterCount;
            string y = i == last ? options.OutputName : prefix + ".y";
            string z = layer.Activation.Kind == ActivationKind.Linear ? y : prefix + ".z";
            graph.Message(1, OnnxExporter.Node(prefix + ".matmul", "MatMul", new[] { x, wt }, prefix + ".xw"));
            graph.Message(1, OnnxExporter.Node(prefix + ".add", "Add", new[] { prefix + ".xw", b }, z));   // z = x·Wᵀ + b
            needsZero |= OnnxExporter.EmitActivation(graph, prefix, layer.Activation, z, y, i + 1);
            x = y;
            fanIn = outputs;
        }
        if (needsZero) initializers.Add(OnnxExporter.Tensor("zero", Array.Empty<long>(), stackalloc float[] { 0f }));

        graph.String(2, options.GraphName ?? "cortex_recurrent_brain");
        foreach (ProtoWriter t in initializers) graph.Message(5, t);
        graph.String(10, $"Cortex recurrent brain: {core} then {brain.Head.Count} dense layer(s)");
        graph.Message(11, Value(options.InputName, null, "seq", options.BatchDimension, inputs));
        graph.Message(11, Value(InitialStateName, 1, null, options.BatchDimension, h));
        graph.Message(12, Value(options.OutputName, null, "seq", options.BatchDimension, brain.Outputs));
        graph.Message(12, Value(FinalStateName, 1, null, options.BatchDimension, h));

        Version? version = typeof(Brain).Assembly.GetName().Version;
        var model = new ProtoWriter()
            .Int64(1, OnnxExporter.IrVersion)
            .String(2, "Cortex")
            .String(3, version is null ? "0" : $"{version.Major}.{version.Minor}.{version.Build}")
            .Int64(5, 1)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int64(2, OnnxExporter.Opset));
        return model.Written.ToArray();
    }

    /// <summary>Writes the ONNX model to a stream.</summary>
    /// <param name="brain">The brain to export.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Names; null for the defaults.</param>
    public static void Write(RecurrentBrain brain, Stream destination, OnnxExportOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        byte[] model = Export(brain, options);
        destination.Write(model, 0, model.Length);
    }

    // A 3-D float ValueInfoProto: (first, batch, width) with first a fixed size or a named dimension.
    private static ProtoWriter Value(string name, long? firstValue, string? firstName, string batch, int width)
    {
        var first = new ProtoWriter();
        if (firstValue is long v) first.Int64(1, v);
        else first.String(2, firstName!);
        var shape = new ProtoWriter()
            .Message(1, first)
            .Message(1, new ProtoWriter().String(2, batch))
            .Message(1, new ProtoWriter().Int64(1, width));
        var tensor = new ProtoWriter().Int64(1, OnnxExporter.FloatType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
    }
}
