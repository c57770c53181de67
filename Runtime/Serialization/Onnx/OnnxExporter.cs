using System;
using System.Collections.Generic;
using System.IO;
using Cortex.Serialization.Onnx;

namespace Cortex.Serialization;

/// <summary>Names used in an exported ONNX model.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>Name of the graph input, shape (batch, Inputs). Default "input".</summary>
    public string InputName { get; set; } = "input";

    /// <summary>Name of the graph output, shape (batch, Outputs). Default "output".</summary>
    public string OutputName { get; set; } = "output";

    /// <summary>Name of the dynamic batch dimension. Default "batch".</summary>
    public string BatchDimension { get; set; } = "batch";

    /// <summary>Graph name; null uses the brain's <see cref="Brain.Name"/> (or "cortex_brain" when it has none).</summary>
    public string? GraphName { get; set; }
}

/// <summary>
/// Exports a brain's network — inference only — as an ONNX model (IR version 7, opset 13, float32, a
/// dynamic batch dimension) for Unity Sentis, Barracuda, ONNX Runtime and friends. Each dense layer is a
/// <c>Gemm</c> (transB = 1, since weights are stored (Out, In)) with its weights and biases as
/// initializers, followed by its activation: Sigmoid, Tanh, Relu, Softplus, LeakyRelu(alpha), Elu(alpha), Swish as Mul(z, Sigmoid(z)),
/// Softmax(axis = −1), nothing for Linear, and <c>Cast(Not(Less(z, 0)))</c> for BinaryStep (1 from 0 on,
/// NaN included, exactly as Cortex computes it).
/// </summary>
/// <remarks>
/// The protobuf is written by a small hand-written wire-format writer inside Runtime rather than by
/// Google.Protobuf: Runtime is loaded into Unity and Godot, where every extra assembly is a cost and a
/// version conflict waiting to happen, and a model needs only nine message types, all written forwards.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the exported models import.</summary>
    public const int Opset = 13;

    /// <summary>The ONNX IR version of the exported models (the one that goes with opset 13).</summary>
    public const long IrVersion = 7;

    // ONNX enums
    internal const int FloatType = 1;                // TensorProto.DataType.FLOAT
    private const int AttributeFloat = 1, AttributeInt = 2;

    /// <summary>The ONNX model as bytes (e.g. for <c>new InferenceSession(bytes)</c>).</summary>
    /// <param name="brain">The brain to export.</param>
    /// <param name="options">Names; null for the defaults.</param>
    public static byte[] Export(Brain brain, OnnxExportOptions? options = null)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        options ??= new OnnxExportOptions();
        CheckName(options.InputName, nameof(options.InputName));
        CheckName(options.OutputName, nameof(options.OutputName));
        CheckName(options.BatchDimension, nameof(options.BatchDimension));
        if (options.InputName == options.OutputName) throw new ArgumentException("InputName and OutputName must differ.", nameof(options));

        float[] parameters = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        var graph = new ProtoWriter();
        var initializers = new List<ProtoWriter>();
        string x = options.InputName;
        int fanIn = brain.Inputs, offset = 0, last = brain.Spec.Layers.Count - 1;
        bool needsZero = false;
        for (int i = 0; i <= last; i++)
        {
            LayerSpec layer = brain.Spec.Layers[i];
            int outputs = layer.Outputs, weights = outputs * fanIn;
            string prefix = $"layer{i}", w = prefix + ".weight", b = prefix + ".bias";
            initializers.Add(Tensor(w, new long[] { outputs, fanIn }, parameters.AsSpan(offset, weights)));
            initializers.Add(Tensor(b, new long[] { outputs }, parameters.AsSpan(offset + weights, outputs)));
            offset += weights + outputs;

            Activation f = layer.Activation;
            string y = i == last ? options.OutputName : prefix + ".y";
            string z = f.Kind == ActivationKind.Linear ? y : prefix + ".z";
            graph.Message(1, Node(prefix + ".gemm", "Gemm", new[] { x, w, b }, z, Attribute("transB", 1L)));   // z = x·Wᵀ + b
            needsZero |= EmitActivation(graph, prefix, f, z, y, i);
            x = y;
            fanIn = outputs;
        }
        if (needsZero) initializers.Add(Tensor("zero", Array.Empty<long>(), stackalloc float[] { 0f }));

        string graphName = options.GraphName ?? (brain.Name.Length > 0 ? brain.Name : "cortex_brain");
        graph.String(2, graphName);
        foreach (ProtoWriter t in initializers) graph.Message(5, t);
        graph.String(10, $"Cortex brain: {brain.Spec}");
        graph.Message(11, Value(options.InputName, options.BatchDimension, brain.Inputs));
        graph.Message(12, Value(options.OutputName, options.BatchDimension, brain.Outputs));

        Version? version = typeof(Brain).Assembly.GetName().Version;
        var model = new ProtoWriter()
            .Int64(1, IrVersion)
            .String(2, "Cortex")
            .String(3, version is null ? "0" : $"{version.Major}.{version.Minor}.{version.Build}")
            .Int64(5, 1)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int64(2, Opset))
            .Message(14, new ProtoWriter().String(1, "cortex.training_steps").String(2, brain.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return model.Written.ToArray();
    }

    /// <summary>Writes the ONNX model to a stream.</summary>
    /// <param name="brain">The brain to export.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Names; null for the defaults.</param>
    public static void Write(Brain brain, Stream destination, OnnxExportOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        byte[] model = Export(brain, options);
        destination.Write(model, 0, model.Length);
    }

    /// <summary>Writes the ONNX model to a file, atomically (temporary file, flush, rename).</summary>
    /// <param name="brain">The brain to export.</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <param name="options">Names; null for the defaults.</param>
    public static void Save(Brain brain, string path, OnnxExportOptions? options = null)
    {
        AtomicFile.CheckPath(path);
        AtomicFile.Write(path, Export(brain, options));
    }

    // y = f(z) as ONNX nodes named after prefix; returns whether the graph needs the scalar initializer "zero".
    internal static bool EmitActivation(ProtoWriter graph, string prefix, Activation f, string z, string y, int layer)
    {
        bool zero = false;
        switch (f.Kind)
        {
            case ActivationKind.Linear:
                break;
            case ActivationKind.Sigmoid:
            case ActivationKind.Tanh:
            case ActivationKind.Relu:
            case ActivationKind.Softplus:
                graph.Message(1, Node(prefix + ".activation", f.Kind.ToString(), new[] { z }, y));
                break;
            case ActivationKind.LeakyRelu:
            case ActivationKind.Elu:
                graph.Message(1, Node(prefix + ".activation", f.Kind.ToString(), new[] { z }, y, Attribute("alpha", f.Alpha)));
                break;
            case ActivationKind.Swish:
                // Opset 13 has no Swish/SiLU op: y = z · Sigmoid(z).
                graph.Message(1, Node(prefix + ".sigmoid", "Sigmoid", new[] { z }, prefix + ".s"));
                graph.Message(1, Node(prefix + ".activation", "Mul", new[] { z, prefix + ".s" }, y));
                break;
            case ActivationKind.Softmax:
                graph.Message(1, Node(prefix + ".activation", "Softmax", new[] { z }, y, Attribute("axis", -1L)));
                break;
            case ActivationKind.BinaryStep:
                // y = z < 0 ? 0 : 1, as Cortex computes it (NaN → 1): Cast(Not(Less(z, 0)), FLOAT).
                zero = true;
                graph.Message(1, Node(prefix + ".less", "Less", new[] { z, "zero" }, prefix + ".negative"));
                graph.Message(1, Node(prefix + ".not", "Not", new[] { prefix + ".negative" }, prefix + ".step"));
                graph.Message(1, Node(prefix + ".cast", "Cast", new[] { prefix + ".step" }, y, Attribute("to", FloatType)));
                break;
            default:
                throw new NotSupportedException($"Layer {layer}: activation {f} has no ONNX form.");
        }
        return zero;
    }

    // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
    internal static ProtoWriter Node(string name, string op, string[] inputs, string output, params ProtoWriter[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.String(1, input);
        node.String(2, output).String(3, name).String(4, op);
        foreach (ProtoWriter a in attributes) node.Message(5, a);
        return node;
    }

    // AttributeProto: name 1, f 2, i 3, type 20.
    internal static ProtoWriter Attribute(string name, long value) => new ProtoWriter().String(1, name).Int64(3, value).Int64(20, AttributeInt);

    internal static ProtoWriter Attribute(string name, float value) => new ProtoWriter().String(1, name).Float(2, value).Int64(20, AttributeFloat);

    // TensorProto: dims 1, data_type 2, name 8, raw_data 9.
    internal static ProtoWriter Tensor(string name, long[] dims, ReadOnlySpan<float> values) =>
        new ProtoWriter().PackedInt64(1, dims).Int64(2, FloatType).String(8, name).RawFloats(9, values);

    // ValueInfoProto { name 1, type 2 } → TypeProto { tensor_type 1 } → Tensor { elem_type 1, shape 2 } → TensorShapeProto { dim 1 }
    // → Dimension { dim_value 1 | dim_param 2 }.
    private static ProtoWriter Value(string name, string batch, int width)
    {
        var shape = new ProtoWriter()
            .Message(1, new ProtoWriter().String(2, batch))
            .Message(1, new ProtoWriter().Int64(1, width));
        var tensor = new ProtoWriter().Int64(1, FloatType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
    }

    internal static void CheckName(string? name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{what} must be a non-empty name.", what);
    }
}
