using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Pairs each block with this materialization's <see cref="BlockCompressor"/>, which it creates
/// on start (one codec per run: it pools compression contexts across the run's blocks) and lets
/// go of on stop; the compressor outlives it until the last block handed out is compressed.
/// </summary>
internal sealed class CompressionJobs : GraphStage<FlowShape<LayerBytes, CompressionJob>>
{
    private readonly Inlet<LayerBytes> _in = new("compressionJobs.in");
    private readonly Outlet<CompressionJob> _out = new("compressionJobs.out");
    private readonly CompressionSettings _compression;
    private readonly string _cpuDispatcher;

    public CompressionJobs(CompressionSettings compression, string cpuDispatcher)
    {
        _compression = compression;
        _cpuDispatcher = cpuDispatcher;
        Shape = new FlowShape<LayerBytes, CompressionJob>(_in, _out);
    }

    public override FlowShape<LayerBytes, CompressionJob> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("compressionJobs");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic
    {
        private readonly CompressionJobs _stage;
        private BlockCompressor? _compressor;

        public Logic(CompressionJobs stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: () => Push(stage._out, _compressor!.Hand(Grab(stage._in))));
            SetHandler(stage._out, onPull: () => Pull(stage._in));
        }

        public override void PreStart()
        {
            var cpu = StreamsConfig.Dispatcher(StreamsConfig.SystemOf(Materializer), _stage._cpuDispatcher);
            _compressor = new BlockCompressor(BlockCodecs.Create(_stage._compression.Kind, _stage._compression.Level), new DispatcherTaskScheduler(cpu));
        }

        public override void PostStop() => _compressor?.Release();
    }
}
